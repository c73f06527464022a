package dev.pipit.jobs;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * {@code POST /v1/train-jobs}: what to train.
 *
 * @param name name of the model to register (letters, digits, '.', '_', '-')
 * @param method agmh, fcaenet or adsh-r50
 * @param bits code length
 * @param dataset dataset kind (fashion-mnist, image-folder, cub200, aircraft, food101, nabirds,
 *     vegfru), or {@code gallery}: the served gallery's labelled items with kept originals
 * @param root dataset directory; must lie under a configured allowed root (not used with {@code
 *     gallery})
 * @param trainPerClass database images per class (0 = all)
 * @param testPerClass query images per class (0 = all)
 * @param outerIterations T_out override
 * @param innerEpochs T_in override
 * @param samples m override
 * @param inputSize network input side override
 * @param backboneWeights a torchvision ResNet-50 to start the backbone from instead of the
 *     service's Keras ResNet-50: its {@code state_dict} as {@code .safetensors} or its TorchScript
 *     export; must lie under a configured allowed root; the model then uses torchvision's
 *     preprocessing (ImageNet mean/std, shorter side to 256/224 of the input, centre crop)
 * @param dataWorkers threads that decode and augment images for end-to-end training (0 = on the
 *     training thread; default: processors - 1, 1..8); the model is the same for any value. Jobs
 *     train the CPU protocol (backbone maps cached once), which does not use them: they take effect
 *     for jobs that train end to end
 * @param dataPrefetch batches those threads prepare ahead of the training step (default 4)
 */
@Schema(
    example =
        """
        {"name": "agmh-fmnist-48-v2", "method": "agmh", "bits": 48, "dataset": "fashion-mnist",
         "root": "/usr/share/datasets/fashion-mnist", "trainPerClass": 500, "testPerClass": 100,
         "outerIterations": 6, "innerEpochs": 2}\
        """)
public record TrainJobRequest(
    @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}") String name,
    @NotBlank String method,
    @Min(1) @Max(1024) int bits,
    @NotBlank String dataset,
    String root,
    @Min(0) Integer trainPerClass,
    @Min(0) Integer testPerClass,
    @Min(1) @Max(1000) Integer outerIterations,
    @Min(1) @Max(1000) Integer innerEpochs,
    @Min(1) Integer samples,
    @Min(32) @Max(1024) Integer inputSize,
    String backboneWeights,
    @Min(0) @Max(256) Integer dataWorkers,
    @Min(1) @Max(64) Integer dataPrefetch) {

  /** A request on the service's own backbone and data pipeline defaults. */
  public TrainJobRequest(
      String name,
      String method,
      int bits,
      String dataset,
      String root,
      Integer trainPerClass,
      Integer testPerClass,
      Integer outerIterations,
      Integer innerEpochs,
      Integer samples,
      Integer inputSize) {
    this(
        name,
        method,
        bits,
        dataset,
        root,
        trainPerClass,
        testPerClass,
        outerIterations,
        innerEpochs,
        samples,
        inputSize,
        null,
        null,
        null);
  }

  /** The same request on another dataset (the gallery's export). */
  public TrainJobRequest onDataset(String kind, String datasetRoot) {
    return copy(kind, datasetRoot, dataWorkers, dataPrefetch);
  }

  /** The same request with these data workers and prefetch depth. */
  public TrainJobRequest withDataPipeline(Integer workers, Integer prefetch) {
    return copy(dataset, root, workers, prefetch);
  }

  private TrainJobRequest copy(
      String dataset, String root, Integer dataWorkers, Integer dataPrefetch) {
    return new TrainJobRequest(
        name,
        method,
        bits,
        dataset,
        root,
        trainPerClass,
        testPerClass,
        outerIterations,
        innerEpochs,
        samples,
        inputSize,
        backboneWeights,
        dataWorkers,
        dataPrefetch);
  }
}
