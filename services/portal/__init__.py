"""Portal: the HTTP front door (JSON API and the page people use); it owns no data and asks the services over the broker."""
