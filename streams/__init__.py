"""newsflow: streaming ingestion of news from Kafka into Elasticsearch."""
