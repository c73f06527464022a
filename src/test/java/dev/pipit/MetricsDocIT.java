package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.model.Architecture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md against the live scrape of the packaged service after real traffic (image, code
 * and batch searches, indexing and deleting, snapshots, a refused credential, a tiny training job):
 * every exported {@code pipit_*} family is documented and every documented one exported (except
 * those the doc marks GPU-only, on a machine without one).
 */
class MetricsDocIT {

  private static final Pattern DOCUMENTED = Pattern.compile("`(pipit_[a-z0-9_]+)`");

  @TempDir Path dir;

  @Test
  void everyExportedPipitMeterIsDocumentedAndEveryDocumentedOneExported() throws Exception {
    ServiceEndToEndIT e2e = new ServiceEndToEndIT();
    e2e.dir = dir;
    Path model =
        TestModels.writeImageNet(dir.resolve("models"), "random-64", Architecture.ADSH_R50, 64, 64);
    List<String> args = new ArrayList<>(e2e.args(model));
    args.add("--pipit.storage.snapshot-every-records=1"); // snapshots in the background
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args)) {
      service.awaitReady(Duration.ofMinutes(3));
      e2e.realPhotosAreIndexedSearchedAndDeleted(service);
      HttpResponse<String> byCode =
          service.postJson("/v1/search", "{\"code\":\"0000000000000000\",\"k\":2}");
      assertThat(byCode.statusCode()).as(byCode.body()).isEqualTo(200);
      HttpResponse<String> batch =
          service.post(
              "/v1/search/batch?k=1",
              new Multipart()
                  .file("image", "dog.jpg", "image/jpeg", ServiceEndToEndIT.photo("dog.jpg"))
                  .file("image", "kite.jpg", "image/jpeg", ServiceEndToEndIT.photo("kite.jpg")));
      assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
      HttpResponse<String> anonymous = service.postJson("/v1/index", "{\"items\":[]}");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      e2e.aTrainingJobRunsToCompletion(service);

      String scrape = service.get("/actuator/prometheus").body();
      assertThat(scrape)
          .containsPattern("pipit_auth_failures_total\\{[^}]*reason=\"missing\"[^}]*\\} [1-9]");
      Set<String> exported = exported(scrape);
      Set<String> documented = new TreeSet<>();
      Set<String> gpuOnly = new TreeSet<>();
      for (String line : Files.readAllLines(Path.of("docs/metrics.md"))) {
        Matcher m = DOCUMENTED.matcher(line);
        while (m.find()) {
          // GPU-only meters exist on CUDA only, Router-only ones in the cluster router process
          // (ClusterRouterIT checks those), Node-only ones in a cluster node (ClusterIT)
          (line.contains("GPU-only") || line.contains("Router-only") || line.contains("Node-only")
                  ? gpuOnly
                  : documented)
              .add(family(m.group(1)));
        }
      }
      Set<String> undocumented = new TreeSet<>(exported);
      undocumented.removeAll(documented);
      undocumented.removeAll(gpuOnly);
      Set<String> missing = new TreeSet<>(documented);
      missing.removeAll(exported);
      assertThat(undocumented).as("exported but not in docs/metrics.md").isEmpty();
      assertThat(missing).as("in docs/metrics.md but not exported").isEmpty();
    }
  }

  /** The families of the {@code pipit_*} samples in a Prometheus text scrape. */
  private static Set<String> exported(String scrape) {
    Set<String> families = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("pipit_")) {
        int end = line.indexOf('{');
        families.add(family(line.substring(0, end < 0 ? line.indexOf(' ') : end)));
      }
    }
    return families;
  }

  /** A sample or family name without its series suffix, so that both sides compare alike. */
  private static String family(String name) {
    for (String suffix : List.of("_bucket", "_count", "_sum", "_max", "_total", "_created")) {
      if (name.endsWith(suffix)) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }
}
