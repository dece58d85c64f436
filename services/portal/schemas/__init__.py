"""What the portal's API accepts and answers, as the OpenAPI document describes it; one module an area."""
