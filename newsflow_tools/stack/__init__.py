"""The local real stack: Apache Kafka and Elasticsearch from Maven Central, run on 127.0.0.1."""
