from alembic import context

from services.disclosure.models import Base
from shared.migrations import run_migrations

run_migrations(context, Base.metadata)
