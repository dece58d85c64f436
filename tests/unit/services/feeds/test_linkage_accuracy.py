"""How well the matcher links a population fed by two sources, with every kind of error real feeds carry, twins, triplets and
look-alikes: precision, recall, the share sent to a person, twins merged and true pairs no blocking key brings together, printed."""
from tests.linkage_population import link, population

CHILDREN = 5000


def test_a_population_with_every_kind_of_error_is_linked_without_merging_twins():
    linked = link(population(CHILDREN))

    print(f"\nlinkage: {linked.summary()}\nmissed pairs by error: {linked.misses()}")
    assert linked.twins_merged == 0
    assert linked.precision >= 0.999
