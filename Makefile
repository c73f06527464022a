# pipit — the two commands are `make run` and `make test`; everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help assets build run test format clean bench-index bench-retrieval bench-train bench-encode bench-data eval-demo

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
DEFAULT_MODEL := models/agmh-fmnist-48
DEMO_GALLERY ?= 1000

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

assets: ## fetch pretrained weights, Fashion-MNIST and sample photos (idempotent)
	@bin/fetch-assets

build: assets ## build the service jar (no tests)
	$(MVN) -DskipTests package

run: build $(DEFAULT_MODEL)/manifest.json ## build, train the default model once, start the service with a demo gallery on $(PORT)
	java $(JVM_FLAGS) -jar $(JAR) --server.port=$(PORT) --pipit.serving.model=$(DEFAULT_MODEL) \
	  --pipit.demo.gallery-size=$(DEMO_GALLERY)

# The embedded default: AGMH, 48 bits, trained on Fashion-MNIST by pipit's own trainer (CPU protocol:
# ImageNet backbone cached to layer 3, conv5_x + head trained, 20,000 database images, 3,000 sampled per
# outer iteration, 12 outer iterations of one epoch, the learning rate divided after the 10th; the recipe
# measured in docs/results.md, "What make run serves"). Trained once, then reused; an interrupted first run
# resumes from its checkpoint.
$(DEFAULT_MODEL)/manifest.json:
	@echo "make run: training the default model $(DEFAULT_MODEL) once (about 6 minutes on 2 idle cores)"
	java $(JVM_FLAGS) -jar $(JAR) train --method agmh --bits 48 --dataset fashion-mnist --out $(DEFAULT_MODEL) \
	  --train-per-class 2000 --test-per-class 100 --samples 3000 --outer 12 --inner 1 --lr-drops 10 \
	  --eval-every 12 --feature-cache none \
	  $(if $(wildcard $(DEFAULT_MODEL)/checkpoint/state.bin),--resume,)

# What make run serves, measured: the demo gallery built as the service builds it, searched with 2,000
# held-out test images in the exact Hamming order and rescored (docs/results.md, "What make run serves").
eval-demo: build $(DEFAULT_MODEL)/manifest.json ## precision@10, mAP and bucket occupancy of the default model's demo gallery
	java $(JVM_FLAGS) -jar $(JAR) eval-demo --model $(DEFAULT_MODEL) --gallery $(DEMO_GALLERY)

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

# The CPU protocol's training step (conv5_x + head on cached stage-3 maps, batch 64, 48 bits) in pipit and in
# PyTorch eager, method by method; waits for a quiet machine before each side. Head only on layer-4 maps:
#   make bench-train BENCH_TRAIN_ARGS="--backbone frozen"
bench-train: build ## training-step throughput per method, pipit vs PyTorch eager (Python), side by side
	java $(JVM_FLAGS) -jar $(JAR) bench-train $(BENCH_TRAIN_ARGS)

format: ## rewrite every Java source with the project's formatter (google-java-format via Spotless)
	$(MVN) -q spotless:apply

clean: ## remove build output (keeps fetched assets)
	$(MVN) -q clean

bench-index: ## JMH benchmarks of the Hamming index (long: 10 M codes x 64/128/256 bits); BENCH_ARGS=quick for a smoke run, BENCH_ARGS="kernels threads" for parts, BENCH_ARGS=rounds for batched vs single in alternating rounds
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
	rm -f target/bench-index-memory.txt
	java $(JVM_FLAGS) -Xmx512m -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.index.jmh.IndexBench $(BENCH_ARGS) | tee target/bench-index.txt
	@echo; cat target/bench-index-memory.txt; grep '^index-bench' target/bench-index.txt

# Memory per entry and time to ready at scale (issue 18): make bench-scale SCALE_ARGS="n=1000000,10000000 xmx=2g"
.PHONY: bench-scale
bench-scale: ## heap and resident bytes per entry, snapshot+log recovery time: n random-id 64-bit codes (docs/benchmarks.md)
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.index.ScaleBench $(SCALE_ARGS) | tee target/bench-scale.txt

# Exact top-k at 100 M codes on the default model's own codes (issue 18 part 3): the demo gallery's and held-out
# queries' served codes exported by eval-demo, repeated to n (bit noise: flip), scan vs multi-index hashing.
# Needs ~4 GB off-heap + ~4 GB heap at 100 M; smaller: SCALE_SEARCH_ARGS="n=10000000 flip=0"
.PHONY: bench-scale-search
SCALE_SEARCH_ARGS ?=
bench-scale-search: build $(DEFAULT_MODEL)/manifest.json ## scan vs multi-index hashing on 100 M codes derived from the default model's codes of real images
	java $(JVM_FLAGS) -jar $(JAR) eval-demo --model $(DEFAULT_MODEL) --gallery 5000 --queries 1000 --export-codes target/trained-codes.txt
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -Xmx6g -XX:MaxDirectMemorySize=32g -XX:+UseParallelGC -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.index.ScaleSearchBench codes=target/trained-codes.txt $(SCALE_SEARCH_ARGS) | tee target/bench-scale-search.txt

bench-encode: ## encoder speed, AGMH 224²: pipit vs TorchScript (DJL) vs PyTorch eager, then peak RSS (docs/benchmarks.md)
	@bin/fetch-assets --test
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.EncodeBenchmark $(BENCH_ARGS)
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.EncodeRss

# Training-data preparation (issue 16 part 5): JPEG decode + random resized crop 224 + flip + ImageNet
# normalisation, images/s per worker count, pipit's ParallelBatches (1, 2, 4 workers) beside PyTorch's
# DataLoader (num_workers 0, 1, 2) on the same files. BENCH_DATA_ARGS="DIR IMAGES" (default: the sample
# photos, 256 images); needs Debian python3-torch and python3-pil.
bench-data: ## training-data pipeline images/s: pipit ImageBatches workers 0/1/2/4 vs PyTorch DataLoader num_workers 0/1/2 (docs/benchmarks.md)
	@bin/fetch-assets --test
	@bin/fetch-assets --bench
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.DataPipelineBench $(BENCH_DATA_ARGS)
	/usr/bin/python3 src/bench/python/data_bench.py $(BENCH_DATA_ARGS)

# The service end to end over loopback (issue 18): search by code and by image, ingest through JSON with the
# write-ahead log's group commit and with an fsync per write; p50/p95/p99 and throughput at 1, 16, 64 clients.
# Shorter: make bench-http BENCH_HTTP_ARGS="n=100000 seconds=3 clients=1,16"; a running one: url=… key=…
.PHONY: bench-http
BENCH_HTTP_ARGS ?=
bench-http: build ## HTTP load on the packaged service: latency percentiles, rps, ingest codes/s, fsync cost (docs/benchmarks.md)
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.HttpBench $(BENCH_HTTP_ARGS) | tee target/bench-http.txt

# Cluster mode (issue 15): replica ready from nothing / from a snapshot, searches/s through a router with 1 and 2
# replicas, replication lag under ingest; PostgreSQL as the tests find it. BENCH_CLUSTER_ARGS="n=1000000 clients=16"
.PHONY: bench-cluster
bench-cluster: build ## cluster mode on one machine: replica ready time, router searches/s, replication lag (docs/benchmarks.md)
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.ClusterBench $(BENCH_CLUSTER_ARGS) | tee target/bench-cluster.txt

# pipit's scan and multi-index hashing, FAISS IndexBinaryFlat/IndexBinaryMultiHash (Debian python3-faiss) and a
# plain C popcount loop (gcc -O3 -march=native) on the same codes in one run (issue 18). BENCH_FAISS_ARGS="n=10000000".
.PHONY: bench-faiss
BENCH_FAISS_ARGS ?=
bench-faiss: build ## pipit vs FAISS vs a C popcount loop on the same 64-bit codes, side by side (docs/benchmarks.md)
	@bin/fetch-assets --bench
	gcc -O3 -march=native -o target/popcount_scan src/bench/c/popcount_scan.c
	$(MVN) -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
	java $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) dev.pipit.bench.FaissBench $(BENCH_FAISS_ARGS) | tee target/bench-faiss.txt
