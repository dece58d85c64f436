"""How well the matcher links a population fed by two sources, with every kind of error real feeds carry, twins, triplets and
look-alikes: precision, recall, the share sent to a person, twins merged and true pairs no blocking key brings together, printed."""
import pytest

from tests.linkage_population import link, population, with_term_frequencies

CHILDREN = 5000


@pytest.fixture(scope="module")
def people():
    return population(CHILDREN)


@pytest.mark.parametrize("weighed_by", ["hand-set weights", "hand-set weights and term frequencies"])
def test_a_population_with_every_kind_of_error_is_linked_precisely_completely_with_few_reviews_and_no_twin_merged(people, weighed_by):
    linked = link(people, with_term_frequencies(people)) if "frequencies" in weighed_by else link(people)

    print(f"\nlinkage by {weighed_by}: {linked.summary()}\nmissed pairs by error: {linked.misses()}")
    assert linked.twins_merged == 0
    assert linked.precision >= 0.999
    assert linked.recall >= 0.99
    assert linked.review_rate <= 0.02
    assert linked.blocking_loss < 0.005
