from services.provisioner.bootstrap import bootstrap
from shared.service import run_until_signalled
from shared.settings import Settings

run_until_signalled(bootstrap(Settings.from_env()))
