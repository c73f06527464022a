# syntax=docker/dockerfile:1
# Multi-stage build: Maven builds the jar, Boot's jarmode splits it into layers, and the runtime image
# carries libtorch already extracted into DJL_CACHE_DIR so the container never downloads anything.

FROM eclipse-temurin:25-jdk AS build
RUN apt-get update && apt-get install -y --no-install-recommends maven && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml .
RUN mvn --batch-mode --no-transfer-progress -q dependency:go-offline
COPY src src
RUN mvn --batch-mode --no-transfer-progress -DskipTests package \
 && java -Djarmode=tools -jar target/pipit.jar extract --layers --launcher --destination /layers

FROM eclipse-temurin:25-jre
ENV DJL_CACHE_DIR=/opt/djl \
    OPT_OUT_TRACKING=true \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true"
# Models and data live on the volume (/data, models in /data/models), owned by the service user so a
# fresh named volume (which copies this directory's ownership) is writable by it; group 10001 too,
# for Kubernetes' fsGroup.
RUN groupadd --system --gid 10001 pipit \
 && useradd --system --uid 10001 --gid 10001 --no-create-home pipit \
 && mkdir -p /data/models /opt/djl \
 && chown -R 10001:10001 /data /opt/djl \
 && chmod -R u+rwX,g+rwX /data
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER 10001:10001
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-XX:MaxRAMPercentage=75", "org.springframework.boot.loader.launch.JarLauncher", \
            "--pipit.storage.data-dir=/data", "--pipit.storage.models-dir=/data/models"]
