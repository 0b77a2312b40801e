# The demo's checkout service with the agent attached the Kubernetes way (JAVA_TOOL_OPTIONS).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q install -DskipTests -pl agent,demo-service -am

FROM eclipse-temurin:17-jre
COPY --from=build /src/agent/target/tripline-agent.jar /opt/tripline/tripline-agent.jar
COPY --from=build /src/demo-service/target/demo-service.jar /opt/app/demo-service.jar
ENV JAVA_TOOL_OPTIONS="-javaagent:/opt/tripline/tripline-agent.jar"
ENTRYPOINT ["java", "-jar", "/opt/app/demo-service.jar", "/etc/checkout/checkout.properties"]
