# pipit — the two commands are `make run` and `make test`; everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help assets build run test clean bench-retrieval bench-train

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

# The retrieval results table (docs/results.md, docs/results.json, docs/plots/): LSH, ITQ, ADSH-R50, FCAENet and
# AGMH at 12/24/32/48 bits on Fashion-MNIST under the CPU protocol. Backbone features are cached under
# models/cache/features, so a re-run only retrains. Reduce it with e.g.
#   make bench-retrieval BENCH_RETRIEVAL_ARGS="--bits 12,48 --train-per-class 30 --test-per-class 10 --outer 3"
BENCH_RETRIEVAL_ARGS ?=
bench-retrieval: build ## train + evaluate every method and code length; writes docs/results.md (about 2 h on 2 cores)
	java $(JVM_FLAGS) -jar $(JAR) bench-retrieval $(BENCH_RETRIEVAL_ARGS)

bench-train: build ## training-step throughput per method, pipit vs PyTorch eager (Python), side by side
	java $(JVM_FLAGS) -jar $(JAR) bench-train $(BENCH_TRAIN_ARGS)

clean: ## remove build output (keeps fetched assets)
	$(MVN) -q clean
