from services.portal.server import serve_until_signalled
from shared.settings import Settings

serve_until_signalled(Settings.from_env())
