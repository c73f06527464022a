# pipit — the two commands are `make run` and `make test`; everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help assets build run test clean bench-encode

PORT ?= 8080

# A JDK >= 25, found without help: $JAVA_HOME if it qualifies, else /usr/lib/jvm/temurin-25*.
JAVA_HOME := $(shell bin/find-jdk)
ifeq ($(strip $(JAVA_HOME)),)
$(error no JDK >= 25 found: set JAVA_HOME to one, or install Temurin 25)
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
# Maven's own Guava calls sun.misc.Unsafe; JDK 25 warns about it on every run.
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
export OPT_OUT_TRACKING := true

MVN := mvn --batch-mode --no-transfer-progress
JAR := target/pipit.jar
JVM_FLAGS := --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

assets: ## fetch pretrained weights, Fashion-MNIST and sample photos (idempotent)
	@bin/fetch-assets

build: assets ## build the service jar (no tests)
	$(MVN) -DskipTests package

run: build ## build and start the service on $(PORT)
	java $(JVM_FLAGS) -jar $(JAR) --server.port=$(PORT)

test: ## the whole test suite: unit tests, then integration tests on the packaged jar
	@bin/fetch-assets --test
	$(MVN) verify

clean: ## remove build output (keeps fetched assets)
	$(MVN) -q clean

bench-encode: ## encoder speed, AGMH 224²: pipit vs TorchScript (DJL) vs PyTorch eager, then peak RSS (docs/benchmarks.md)
	@bin/fetch-assets --test
	$(MVN) -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench.cp) dev.pipit.bench.EncodeBenchmark $(BENCH_ARGS)
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench.cp) dev.pipit.bench.EncodeRss
