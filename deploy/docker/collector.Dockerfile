# Tripline collector image. Build from the repository root:
#   docker build -f deploy/docker/collector.Dockerfile -t tripline/collector:0.1.0 .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q install -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/tripline tripline \
 && mkdir -p /var/lib/tripline && chown tripline /var/lib/tripline
COPY --from=build /src/collector/target/tripline-collector.jar /opt/tripline/tripline-collector.jar
USER 10001
WORKDIR /var/lib/tripline
# 8470: console, REST API, /metrics, /health. 9092: embedded Kafka (only when no bootstrap servers are given).
EXPOSE 8470 9092
ENV TRIPLINE_DATA_DIR=/var/lib/tripline \
    TRIPLINE_HTTP_BIND=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/tripline/tripline-collector.jar \"$@\"", "--"]
CMD ["run"]
