# A tiny image that carries the agent jar, for init containers and multi-stage builds:
#   docker build -f deploy/docker/agent.Dockerfile -t tripline/agent:0.1.0 .
# In your own image:   COPY --from=tripline/agent:0.1.0 /tripline/tripline-agent.jar /opt/tripline/
# As an init container: it copies the jar into a shared volume (see deploy/kubernetes/agent-injection).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q install -DskipTests -pl agent -am

FROM busybox:1.36
COPY --from=build /src/agent/target/tripline-agent.jar /tripline/tripline-agent.jar
ENTRYPOINT ["sh", "-c", "cp /tripline/tripline-agent.jar \"${TRIPLINE_AGENT_TARGET:-/shared}/\" && echo copied tripline-agent.jar"]
