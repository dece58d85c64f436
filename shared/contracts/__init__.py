"""What each publisher promises: routing keys and payload schemas, shared by publisher and consumer."""
