# syntax=docker/dockerfile:1
# Two images from one file:
#   docker build --target cpu  -t pipit:latest .       (the default: the last stage)
#   docker build --target cuda -t pipit:cuda .         (CUDA 11.8 libtorch, device cuda; needs an NVIDIA GPU)
# Multi-stage: Maven builds the jar, Boot's jarmode splits it into layers, and each runtime image carries
# libtorch already extracted into DJL_CACHE_DIR (a build step loads the engine once), so a container
# never downloads or extracts anything at start and its root filesystem can be read-only.
# Models and data live on the volume: /data, models in /data/models. Arguments after the image name go
# to the pipit command line, so the same image serves (no arguments) and trains (`train --config …`).

FROM eclipse-temurin:25-jdk AS build-base
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends maven && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml .

FROM build-base AS build-cpu
RUN mvn --batch-mode --no-transfer-progress -q dependency:go-offline
COPY src src
COPY docker/WarmEngine.java /warm/
RUN mvn --batch-mode --no-transfer-progress -DskipTests package \
 && java -Djarmode=tools -jar target/pipit.jar extract --layers --launcher --destination /layers \
 && javac -d /warm -cp '/layers/dependencies/BOOT-INF/lib/*' /warm/WarmEngine.java

FROM build-base AS build-cuda
# -Pcuda swaps pytorch-native-cpu for pytorch-native-cu118 (CUDA 11.8 libtorch, 1.6 GB, from Maven Central).
RUN mvn --batch-mode --no-transfer-progress -q -Pcuda dependency:go-offline
COPY src src
COPY docker/WarmEngine.java /warm/
RUN mvn --batch-mode --no-transfer-progress -Pcuda -DskipTests package \
 && java -Djarmode=tools -jar target/pipit.jar extract --layers --launcher --destination /layers \
 && javac -d /warm -cp '/layers/dependencies/BOOT-INF/lib/*' /warm/WarmEngine.java

# The JRE for the CUDA image comes from Temurin's own image (same build as the CPU image's), copied whole.
FROM eclipse-temurin:25-jre AS jre

FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS cuda
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    DJL_CACHE_DIR=/opt/djl \
    OPT_OUT_TRACKING=true \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true" \
    PIPIT_ENGINE_DEVICE=cuda \
    PIPIT_STORAGE_DATA_DIR=/data \
    PIPIT_STORAGE_MODELS_DIR=/data/models \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
# Owned by the service user so a fresh named volume (which copies this directory's ownership) is
# writable by it; group 10001 too, for Kubernetes' fsGroup.
RUN groupadd --system --gid 10001 pipit \
 && useradd --system --uid 10001 --gid 10001 --no-create-home pipit \
 && mkdir -p /data/models /opt/djl \
 && chown -R 10001:10001 /data \
 && chmod -R u+rwX,g+rwX /data
WORKDIR /app
COPY --from=build-cuda /layers/dependencies/ ./
COPY --from=build-cuda /layers/spring-boot-loader/ ./
COPY --from=build-cuda /layers/snapshot-dependencies/ ./
# libtorch (CUDA) extracted now, while the image is built; loading it needs no GPU (CUDA starts lazily).
# DJL makes its extraction directory private to root (0700): the service user must be able to read it,
# or it tries to extract again into a directory it cannot write and the engine never loads.
COPY --from=build-cuda /warm /tmp/warm
RUN java -cp '/tmp/warm:/app/BOOT-INF/lib/*' WarmEngine && rm -rf /tmp/warm && chmod -R a+rX /opt/djl
COPY --from=build-cuda /layers/application/ ./
COPY configs /app/configs
USER 10001:10001
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=30 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200'"]
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-XX:MaxRAMPercentage=40", "org.springframework.boot.loader.launch.JarLauncher"]

FROM eclipse-temurin:25-jre AS cpu
ENV DJL_CACHE_DIR=/opt/djl \
    OPT_OUT_TRACKING=true \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true" \
    PIPIT_ENGINE_DEVICE=auto \
    PIPIT_STORAGE_DATA_DIR=/data \
    PIPIT_STORAGE_MODELS_DIR=/data/models
RUN groupadd --system --gid 10001 pipit \
 && useradd --system --uid 10001 --gid 10001 --no-create-home pipit \
 && mkdir -p /data/models /opt/djl \
 && chown -R 10001:10001 /data \
 && chmod -R u+rwX,g+rwX /data
WORKDIR /app
COPY --from=build-cpu /layers/dependencies/ ./
COPY --from=build-cpu /layers/spring-boot-loader/ ./
COPY --from=build-cpu /layers/snapshot-dependencies/ ./
COPY --from=build-cpu /warm /tmp/warm
RUN java -cp '/tmp/warm:/app/BOOT-INF/lib/*' WarmEngine && rm -rf /tmp/warm && chmod -R a+rX /opt/djl
COPY --from=build-cpu /layers/application/ ./
COPY configs /app/configs
USER 10001:10001
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=30 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200'"]
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-XX:MaxRAMPercentage=40", "org.springframework.boot.loader.launch.JarLauncher"]
