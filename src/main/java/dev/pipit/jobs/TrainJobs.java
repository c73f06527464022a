package dev.pipit.jobs;

import dev.pipit.model.Architecture;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ResNet50;
import dev.pipit.model.TorchvisionResNet50Importer;
import dev.pipit.train.DataPipeline;
import dev.pipit.train.TrainingCancelledException;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingRun;
import dev.pipit.train.TrainingSettings;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training jobs: a queue run one at a time (one device, one job), progress kept in memory for the
 * API and pushed to subscribers, state persisted as {@code <jobs dir>/<id>.json} on every state
 * change and every outer iteration. After a restart, jobs that were queued or running are marked
 * {@link TrainJob.State#INTERRUPTED}: never silently lost, and their checkpoint lets a new job with
 * the same request resume. A job that succeeds registers its model in the models directory.
 */
public final class TrainJobs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TrainJobs.class);

  /** Least time between two progress-only events to one event-stream subscriber. */
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

  private final DevicePreference device;
  private final Path jobsDir;
  private final Path modelsDir;
  private final List<Path> allowedRoots;
  private final Path backboneWeights;
  private final String gitRevision;
  private final JsonMapper json = JsonMapper.builder().build();
  private final Map<String, TrainJob> jobs = new ConcurrentHashMap<>();
  private final Map<String, Boolean> cancelled = new ConcurrentHashMap<>();
  private final JobLimits limits;
  private final JobEvents events;
  private final Trainer trainer;
  private final JobListener listener;
  private final ExecutorService runner =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("pipit-train-jobs").daemon().unstarted(r));

  /**
   * @param jobsDir where job states are kept
   * @param modelsDir where finished jobs register their models
   * @param allowedRoots dataset directories must lie under one of these
   * @param backboneWeights the ImageNet backbone's TF.js model.json
   * @param gitRevision recorded in trained models' provenance
   */
  public TrainJobs(
      Path jobsDir,
      Path modelsDir,
      List<Path> allowedRoots,
      Path backboneWeights,
      String gitRevision)
      throws IOException {
    this(jobsDir, modelsDir, allowedRoots, backboneWeights, gitRevision, DevicePreference.AUTO);
  }

  /** As above, training on {@code device} (see {@link TrainingRun.Plan#device()}). */
  public TrainJobs(
      Path jobsDir,
      Path modelsDir,
      List<Path> allowedRoots,
      Path backboneWeights,
      String gitRevision,
      DevicePreference device)
      throws IOException {
    this(
        jobsDir,
        modelsDir,
        allowedRoots,
        backboneWeights,
        gitRevision,
        device,
        JobLimits.DEFAULTS,
        TrainJobs::train,
        JobListener.NONE);
  }

  /**
   * As above, within {@code limits} (pending jobs, event streams), telling {@code listener} of job
   * starts, steps and failures.
   */
  public TrainJobs(
      Path jobsDir,
      Path modelsDir,
      List<Path> allowedRoots,
      Path backboneWeights,
      String gitRevision,
      DevicePreference device,
      JobLimits limits,
      JobListener listener)
      throws IOException {
    this(
        jobsDir,
        modelsDir,
        allowedRoots,
        backboneWeights,
        gitRevision,
        device,
        limits,
        TrainJobs::train,
        listener);
  }

  /** What runs a job's training; tests replace it. */
  @FunctionalInterface
  interface Trainer {
    void train(
        TrainingRun.Plan plan,
        TrainingListener listener,
        Consumer<String> log,
        BooleanSupplier cancelled)
        throws Exception;
  }

  private static void train(
      TrainingRun.Plan plan,
      TrainingListener listener,
      Consumer<String> log,
      BooleanSupplier cancelled)
      throws Exception {
    TrainingRun.run(plan, listener, log, cancelled);
  }

  TrainJobs(
      Path jobsDir,
      Path modelsDir,
      List<Path> allowedRoots,
      Path backboneWeights,
      String gitRevision,
      DevicePreference device,
      JobLimits limits,
      Trainer trainer,
      JobListener listener)
      throws IOException {
    this.listener = listener;
    this.limits = limits;
    this.events = new JobEvents(limits, PROGRESS_INTERVAL);
    this.trainer = trainer;
    this.device = device;
    this.jobsDir = Files.createDirectories(jobsDir);
    this.modelsDir = modelsDir;
    this.allowedRoots = List.copyOf(allowedRoots);
    this.backboneWeights = backboneWeights;
    this.gitRevision = gitRevision;
    recover();
  }

  private void recover() throws IOException {
    try (Stream<Path> files = Files.list(jobsDir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        TrainJob job = json.readValue(file.toFile(), TrainJob.class);
        if (!job.state().finished()) {
          job =
              job.with(
                  TrainJob.State.INTERRUPTED,
                  job.progress(),
                  job.iterations(),
                  null,
                  null,
                  "the service stopped while this job was "
                      + job.state().name().toLowerCase()
                      + "; submit the same request again to resume from its checkpoint",
                  job.started(),
                  Instant.now());
          persist(job);
        }
        jobs.put(job.id(), job);
      }
    }
  }

  /**
   * Validates and queues a job.
   *
   * @throws PathNotAllowedException if the dataset root or the backbone weights are outside the
   *     allowed roots
   * @throws IllegalArgumentException for an unknown method or dataset kind, or backbone weights
   *     that are not a torchvision ResNet-50
   * @throws JobsBusyException if the queue of pending jobs is full
   * @throws ModelNameConflictException if the model it would write exists or another job will write
   *     it
   */
  public TrainJob submit(TrainJobRequest request) throws IOException {
    if (request.root() == null || request.root().isBlank()) {
      throw new IllegalArgumentException(
          "root is required: the dataset directory (or use dataset \"gallery\")");
    }
    Path root = allowedPath("dataset root", request.root());
    return queue(request, root, userBackbone(request));
  }

  /**
   * Queues a job on a dataset the service wrote itself (the gallery's export), so no allowed-root
   * check.
   *
   * @throws IllegalArgumentException for an unknown method, or backbone weights as {@link #submit}
   * @throws PathNotAllowedException as {@link #submit}, for the backbone weights
   * @throws JobsBusyException if the queue of pending jobs is full
   * @throws ModelNameConflictException as {@link #submit}
   */
  public TrainJob submitExported(TrainJobRequest request, Path root) throws IOException {
    return queue(request, root.toRealPath(), userBackbone(request));
  }

  /**
   * The request's own backbone weights, checked before anything is queued: under an allowed root, a
   * file, and a torchvision ResNet-50 backbone tensor for tensor (names and shapes); null when the
   * request names none (the service's Keras ResNet-50).
   */
  private Path userBackbone(TrainJobRequest request) throws IOException {
    String weights = request.backboneWeights();
    if (weights == null || weights.isBlank()) {
      return null;
    }
    Path path = allowedPath("backbone weights", weights);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("backbone weights " + weights + " are not a file");
    }
    try {
      TorchvisionResNet50Importer.verify(path);
    } catch (ModelArtifactException e) {
      throw new IllegalArgumentException(
          "backbone weights "
              + weights
              + " are not a torchvision ResNet-50 (its state_dict as .safetensors, or its"
              + " TorchScript export): "
              + e.getMessage(),
          e);
    }
    return path;
  }

  /**
   * Checks the name and the queue bound, then queues: one at a time, so two requests can neither
   * both pass the bound nor both claim one name.
   */
  private synchronized TrainJob queue(TrainJobRequest request, Path root, Path backbone)
      throws IOException {
    Architecture.fromId(request.method());
    DataPipeline.of(request.dataWorkers(), request.dataPrefetch());
    checkName(request.name());
    long pending = jobs.values().stream().filter(j -> j.state() == TrainJob.State.QUEUED).count();
    if (pending >= limits.maxPending()) {
      throw new JobsBusyException(
          "the job queue is full ("
              + pending
              + " jobs waiting, at most "
              + limits.maxPending()
              + "); retry when one has started",
          Duration.ofSeconds(60));
    }
    String id = UUID.randomUUID().toString();
    TrainJob job =
        new TrainJob(
            id,
            TrainJob.State.QUEUED,
            request,
            0,
            List.of(),
            null,
            null,
            null,
            Instant.now(),
            null,
            null);
    jobs.put(id, job);
    persist(job);
    runner.submit(() -> run(id, root, backbone));
    return job;
  }

  /**
   * A job may not write over a registered model (the serving one included: it has a manifest), nor
   * over a model another queued or running job will write. A directory holding only a checkpoint
   * (an interrupted job's) may be written: the job resumes from it.
   */
  private void checkName(String name) {
    Path out = modelsDir.resolve(name).normalize();
    if (!out.getParent().equals(modelsDir.normalize())) {
      throw new IllegalArgumentException("model name " + name + " is not a plain directory name");
    }
    if (Files.exists(out.resolve("manifest.json"))) {
      throw new ModelNameConflictException(
          "a model named " + name + " exists already; choose another name");
    }
    for (TrainJob job : jobs.values()) {
      if (!job.state().finished() && job.request().name().equals(name)) {
        throw new ModelNameConflictException(
            "job " + job.id() + " (" + job.state() + ") will write model " + name);
      }
    }
  }

  /** {@code given} (a dataset root, a weights file) resolved, if it lies under an allowed root. */
  private Path allowedPath(String what, String given) {
    Path path;
    try {
      path = Path.of(given).toRealPath();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(what + " " + given + " does not exist");
    }
    for (Path allowed : allowedRoots) {
      try {
        if (path.startsWith(allowed.toRealPath())) {
          return path;
        }
      } catch (IOException missing) {
        // an allowed root that does not exist allows nothing
      }
    }
    throw new PathNotAllowedException(
        what + " " + given + " is outside the allowed roots " + allowedRoots);
  }

  /**
   * @param backbone the request's torchvision ResNet-50, or null for the service's Keras one
   */
  private void run(String id, Path root, Path backbone) {
    TrainJob job = jobs.get(id);
    if (Boolean.TRUE.equals(cancelled.get(id))) {
      update(
          job.with(TrainJob.State.CANCELLED, 0, List.of(), null, null, null, null, Instant.now()),
          true);
      return;
    }
    Instant started = Instant.now();
    update(job.with(TrainJob.State.RUNNING, 0, List.of(), null, null, null, started, null), true);
    TrainJobRequest r = job.request();
    TrainingSettings s = TrainingSettings.cpuProtocol(Architecture.fromId(r.method()), r.bits());
    s =
        s.withSchedule(
            or(r.outerIterations(), s.outerIterations()),
            or(r.innerEpochs(), s.innerEpochs()),
            or(r.samples(), s.samples()),
            s.batchSize());
    if (r.inputSize() != null) {
      s = s.withInput(r.inputSize(), s.backbone());
    }
    Path out = modelsDir.resolve(r.name());
    if (Files.exists(out.resolve("manifest.json"))) {
      // Registered after this job was queued (by hand, say): never overwrite it.
      update(
          job.with(
              TrainJob.State.FAILED,
              0,
              List.of(),
              null,
              null,
              "a model named " + r.name() + " appeared while this job waited; nothing written",
              started,
              Instant.now()),
          true);
      return;
    }
    boolean resume =
        Files.exists(out.resolve("checkpoint/state.bin"))
            && !Files.exists(out.resolve("manifest.json"));
    TrainingRun.Plan plan =
        new TrainingRun.Plan(
            r.name(),
            s,
            r.dataset(),
            root,
            or(r.trainPerClass(), 0),
            or(r.testPerClass(), 0),
            backbone == null ? backboneWeights : backbone,
            out,
            resume,
            1,
            gitRevision,
            null,
            device,
            backbone == null ? ResNet50.Style.KERAS_V1 : ResNet50.Style.TORCHVISION_V15,
            DataPipeline.of(r.dataWorkers(), r.dataPrefetch()));
    List<TrainJob.Iteration> history = new CopyOnWriteArrayList<>();
    int outer = s.outerIterations();
    try {
      trainer.train(
          plan,
          new TrainingListener() {
            // the previous step's iteration and progress: a step's time runs from the previous
            // step of the same iteration (feature caching and evaluation are no step)
            private int lastIteration = -1;
            private long lastStep;
            private long lastStepNanos;

            @Override
            public void onStep(int iteration, long step, long steps, double loss) {
              long now = System.nanoTime();
              if (iteration == lastIteration && step > lastStep) {
                listener.stepped(r.method(), r.bits(), now - lastStepNanos);
              }
              lastIteration = iteration;
              lastStep = step;
              lastStepNanos = now;
              double progress = (iteration + (double) step / steps) / outer;
              running(id, progress, history, started, false);
            }

            @Override
            public void onIteration(Iteration it) {
              lastIteration = -1; // the code update and evaluation before it are no step
              history.add(
                  new TrainJob.Iteration(
                      it.iteration() + 1,
                      it.losses().total(),
                      Double.isNaN(it.map()) ? null : it.map(),
                      it.seconds()));
              double progress = (it.iteration() + 1.0) / outer;
              running(id, progress, history, started, true);
            }
          },
          line -> log.info("job {}: {}", id, line),
          () -> Boolean.TRUE.equals(cancelled.get(id)));
      update(
          jobs.get(id)
              .with(
                  TrainJob.State.SUCCEEDED, 1, history, 0L, r.name(), null, started, Instant.now()),
          true);
    } catch (TrainingCancelledException e) {
      ended(id, TrainJob.State.CANCELLED, history, e.getMessage(), started);
    } catch (Exception | Error e) {
      log.warn("training job {} failed", id, e);
      ended(id, TrainJob.State.FAILED, history, reason(e), started);
    }
  }

  private void running(
      String id,
      double progress,
      List<TrainJob.Iteration> history,
      Instant started,
      boolean persist) {
    update(
        jobs.get(id)
            .with(
                TrainJob.State.RUNNING,
                progress,
                history,
                eta(started, progress),
                null,
                null,
                started,
                null),
        persist);
  }

  /** Ends a job that did not succeed, keeping the progress it reached. */
  private void ended(
      String id,
      TrainJob.State state,
      List<TrainJob.Iteration> history,
      String error,
      Instant started) {
    TrainJob job = jobs.get(id);
    update(
        job.with(state, job.progress(), history, null, null, error, started, Instant.now()), true);
  }

  /** A failure as a user reads it: file exceptions carry only the path as their message. */
  static String reason(Throwable e) {
    if (e instanceof NoSuchFileException missing) {
      return "file not found: " + missing.getFile();
    }
    if (e instanceof AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private static Long eta(Instant started, double progress) {
    if (progress <= 0) {
      return null;
    }
    long elapsed = Duration.between(started, Instant.now()).toSeconds();
    return Math.round(elapsed * (1 - progress) / progress);
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  /**
   * Requests cancellation; a queued job is cancelled at once, a running one at its next mini-batch.
   */
  public TrainJob cancel(String id) {
    TrainJob job = get(id).orElseThrow(() -> new UnknownJobException(id));
    if (!job.state().finished()) {
      cancelled.put(id, true);
    }
    return job;
  }

  public Optional<TrainJob> get(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /** All jobs, newest first. */
  public List<TrainJob> list() {
    List<TrainJob> all = new ArrayList<>(jobs.values());
    all.sort(Comparator.comparing(TrainJob::created).reversed());
    return all;
  }

  /**
   * Streams the job's changes to {@code sink} on a thread of the subscription's own, never the
   * training thread; see {@link JobEvents}.
   *
   * @param onEnd runs once when the stream ends (job finished, client dropped or gone)
   * @throws JobsBusyException if the caps on event streams are reached
   */
  public JobEvents.Subscription subscribe(String id, Consumer<TrainJob> sink, Runnable onEnd) {
    if (!jobs.containsKey(id)) {
      throw new UnknownJobException(id);
    }
    JobEvents.Subscription subscription = events.subscribe(id, sink, onEnd);
    // Registered first, read second: a change in between is published to it as well.
    subscription.offer(jobs.get(id));
    return subscription;
  }

  /** The bounds this service keeps. */
  public JobLimits limits() {
    return limits;
  }

  private void update(TrainJob job, boolean persist) {
    TrainJob before = jobs.put(job.id(), job);
    if (job.state() == TrainJob.State.FAILED
        && (before == null || before.state() != TrainJob.State.FAILED)) {
      listener.failed();
    }
    listener.updated(job);
    if (persist) {
      try {
        persist(job);
      } catch (IOException e) {
        log.warn("cannot persist job {}", job.id(), e);
      }
    }
    events.publish(job); // never blocks: subscribers have queues and threads of their own
  }

  private void persist(TrainJob job) throws IOException {
    Path temp = jobsDir.resolve(job.id() + ".json.tmp");
    json.writeValue(temp.toFile(), job);
    Files.move(
        temp,
        jobsDir.resolve(job.id() + ".json"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    runner.shutdownNow();
    try {
      // A running job sees the interrupt at its next step and records how it ended.
      runner.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
