package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.model.Architecture;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in headless Chromium against the packaged service: a search with a real image finds
 * it with its class label, a hostile upload shows its problem, an added item is found, a tiny
 * training job is followed to its end and its model activated, and the browser console stays clean.
 * Screenshots go to target/screenshots. Needs Debian's chromium and chromium-driver
 * (bin/fetch-assets --test): without them the test fails, never skips.
 */
class WebPageIT {

  // overridable only to check that a missing browser fails the test
  static final Path CHROMIUM = Path.of(System.getProperty("webpage.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("webpage.chromedriver", "/usr/bin/chromedriver"));
  static final String TOKEN = "web-admin-token";
  static final Path SCREENSHOTS = Path.of("target/screenshots");

  /** The training form's inputs by the request field they fill. */
  static final Map<String, String> FORM =
      Map.of(
          "trainPerClass", "train-per-class",
          "testPerClass", "test-per-class",
          "outerIterations", "train-outer",
          "innerEpochs", "train-inner",
          "samples", "train-samples",
          "inputSize", "train-input");

  @TempDir Path dir;

  @Test
  void thePageSearchesAddsTrainsAndSwitchesInARealBrowser() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("chromium and chromedriver are missing: run bin/fetch-assets --test")
        .isTrue();
    Path model =
        TestModels.writeImageNet(dir.resolve("models"), "web-64", Architecture.ADSH_R50, 64, 64);
    Path queries = dir.resolve("queries");
    List<String> args =
        List.of(
            "--pipit.serving.model=" + model,
            "--pipit.storage.data-dir=" + dir.resolve("data"),
            "--pipit.storage.models-dir=" + dir.resolve("models"),
            "--pipit.engine.device=cpu",
            "--pipit.jobs.admin-token=" + TOKEN,
            TinyTrainingJob.allowedRootsArg(),
            TinyTrainingJob.backboneArg(),
            "--pipit.demo.gallery-size=300",
            "--pipit.demo.queries=10",
            "--pipit.demo.queries-dir=" + queries);
    Files.createDirectories(SCREENSHOTS);
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args)) {
      service.awaitReady(Duration.ofMinutes(3));
      WebDriver browser = browser();
      try {
        String base = service.uri("").toString();
        thePagesOwnAssetsAreSmallAndCached(service);
        searchWithARealImageFindsItsClass(browser, base, service);
        aHostileUploadShowsItsProblem(browser);
        enterTheKey(browser);
        anAddedItemIsFound(browser, base, queries);
        aTinyJobIsFollowedToItsEnd(browser, base);
        itsModelIsActivated(browser, base);
        theConsoleHasNoErrors(browser);
      } finally {
        browser.quit();
      }
    }
  }

  static WebDriver browser() {
    // Selenium Manager must never look for a driver or browser on the network
    System.setProperty("SE_OFFLINE", "true");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--window-size=1280,1000");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  void searchWithARealImageFindsItsClass(WebDriver browser, String base, ServiceProcess service)
      throws Exception {
    browser.get(base + "/");
    // a real Fashion-MNIST image the demo gallery holds, as its kept original: the model here has
    // a random hash head (no training), so only the image itself is sure to be nearest
    String page = service.get("/v1/items?limit=1").body();
    String id = JsonPath.read(page, "$.items[0].id");
    String label = JsonPath.read(page, "$.items[0].label");
    String original = JsonPath.read(page, "$.items[0].image");
    Path query = dir.resolve("query.png");
    service
        .http()
        .send(HttpRequest.newBuilder(service.uri(original)).build(), BodyHandlers.ofFile(query));
    browser.findElement(By.id("search-k")).clear();
    browser.findElement(By.id("search-k")).sendKeys("8");
    browser.findElement(By.id("search-file")).sendKeys(query.toAbsolutePath().toString());
    List<WebElement> results = awaitResults(browser, 8);
    assertThat(results.get(0).getAttribute("data-id")).isEqualTo(id);
    assertThat(results.get(0).getAttribute("data-label")).isEqualTo(label);
    assertThat(results.get(0).findElement(By.className("distance")).getText()).isEqualTo("d = 0");
    assertThat(results).allSatisfy(r -> assertThat(r.getAttribute("data-label")).isNotBlank());
    assertThat(text(browser, "search-summary")).contains("web-64").contains("scan");
    assertThat(results.get(0).findElement(By.tagName("img")).getAttribute("src"))
        .contains("/thumbnail");
    // the image search is in the URL as its query code: a reload repeats it
    String itemCode = JsonPath.read(service.get("/v1/index/" + id).body(), "$.code");
    wait(browser).until(d -> d.getCurrentUrl().contains("code=" + itemCode));
    browser.navigate().refresh();
    results = awaitResults(browser, 8);
    assertThat(results.get(0).getAttribute("data-id")).isEqualTo(id);
    // "search with this result" puts the item in the URL, which can be reloaded
    String first = results.get(0).getAttribute("data-id");
    results.get(0).findElement(By.className("more")).click();
    wait(browser).until(d -> d.getCurrentUrl().contains("item=" + first));
    browser.navigate().refresh();
    List<WebElement> again = awaitResults(browser, 8);
    assertThat(again.get(0).getAttribute("data-id")).isEqualTo(first);
    assertThat(again.get(0).findElement(By.className("distance")).getText()).isEqualTo("d = 0");
    aPastedCodeWithALabelFilterFindsOnlyThatLabel(browser, service, id, label);
    screenshot(browser, "search");
    onAPhoneNothingOverflows(browser);
  }

  void aPastedCodeWithALabelFilterFindsOnlyThatLabel(
      WebDriver browser, ServiceProcess service, String id, String label) throws Exception {
    String code = JsonPath.read(service.get("/v1/index/" + id).body(), "$.code");
    type(browser, "search-code", code);
    type(browser, "search-label", label);
    browser.findElement(By.id("search-go")).click();
    wait(browser).until(d -> text(d, "search-summary").contains("for code " + code));
    List<WebElement> results = browser.findElements(By.cssSelector("#results li"));
    assertThat(results).hasSize(8);
    assertThat(results.get(0).getAttribute("data-id")).isEqualTo(id);
    assertThat(results).allSatisfy(r -> assertThat(r.getAttribute("data-label")).isEqualTo(label));
    // the search is in the URL: reloading it runs it again
    assertThat(browser.getCurrentUrl()).contains("code=" + code).contains("label=");
    browser.navigate().refresh();
    wait(browser).until(d -> text(d, "search-summary").contains("for code " + code));
    assertThat(browser.findElements(By.cssSelector("#results li"))).hasSize(8);
  }

  static void onAPhoneNothingOverflows(WebDriver browser) {
    browser.manage().window().setSize(new Dimension(390, 844));
    try {
      wait(browser)
          .until(
              d ->
                  (Boolean)
                      ((ChromeDriver) d)
                          .executeScript(
                              "return innerWidth < 500 && document.documentElement.scrollWidth"
                                  + " <= innerWidth"));
      screenshot(browser, "search-phone");
    } finally {
      browser.manage().window().setSize(new Dimension(1280, 1000));
    }
  }

  /** The page's own files: small, and cached by the browser (Cache-Control with a max-age). */
  static void thePagesOwnAssetsAreSmallAndCached(ServiceProcess service) throws Exception {
    long total = 0;
    for (String asset :
        List.of(
            "/",
            "/css/pipit.css",
            "/js/app.js",
            "/js/api.js",
            "/js/ui.js",
            "/js/search.js",
            "/js/gallery.js",
            "/js/training.js",
            "/js/models.js",
            "/js/system.js",
            "/webjars/chart.js/dist/chart.umd.min.js")) {
      var response = service.get(asset);
      assertThat(response.statusCode()).as(asset).isEqualTo(200);
      assertThat(response.headers().firstValue("Cache-Control").orElse(""))
          .as(asset)
          .contains("max-age=");
      if (!asset.startsWith("/webjars")) {
        total += response.body().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    assertThat(total).as("bytes of the page's own files (Chart.js apart)").isLessThan(64 * 1024);
  }

  void aHostileUploadShowsItsProblem(WebDriver browser) throws Exception {
    Path text = dir.resolve("not-an-image.jpg");
    Files.writeString(text, "hello, not an image", StandardCharsets.UTF_8);
    browser.findElement(By.id("search-file")).sendKeys(text.toString());
    WebElement error =
        wait(browser).until(ExpectedConditions.visibilityOfElementLocated(By.id("search-error")));
    assertThat(error.getText()).contains("415 Image refused").contains("UNKNOWN_FORMAT");
    assertThat(browser.findElements(By.cssSelector("#results li"))).isEmpty();
  }

  void enterTheKey(WebDriver browser) {
    browser.findElement(By.id("key-input")).sendKeys(TOKEN);
    browser.findElement(By.id("key-save")).click();
    assertThat(text(browser, "key-state")).isEqualTo("key set for this tab");
  }

  void anAddedItemIsFound(WebDriver browser, String base, Path queries) throws Exception {
    browser.get(base + "/#gallery");
    wait(browser).until(d -> d.findElements(By.cssSelector("#gallery-items li")).size() == 24);
    assertThat(text(browser, "gallery-stats")).contains("300").contains("64").contains("web-64");
    Path image = pickQuery(queries);
    browser.findElement(By.id("add-files")).sendKeys(image.toAbsolutePath().toString());
    browser.findElement(By.id("add-id")).sendKeys("web-added");
    browser.findElement(By.id("add-label")).sendKeys("Added by the page");
    browser.findElement(By.id("add-go")).click();
    wait(browser).until(d -> text(d, "gallery-status").startsWith("Added 1 of 1"));
    wait(browser).until(d -> text(d, "gallery-stats").contains("301"));
    screenshot(browser, "gallery");
    browser.get(base + "/#search?item=web-added&k=3");
    List<WebElement> found = awaitResults(browser, 1);
    assertThat(found.get(0).getAttribute("data-id")).isEqualTo("web-added");
    assertThat(found.get(0).getAttribute("data-label")).isEqualTo("Added by the page");
  }

  void aTinyJobIsFollowedToItsEnd(WebDriver browser, String base) {
    browser.get(base + "/#training");
    browser.findElement(By.id("train-name")).sendKeys("web-job");
    new Select(browser.findElement(By.id("train-method"))).selectByValue(TinyTrainingJob.METHOD);
    type(browser, "train-bits", String.valueOf(TinyTrainingJob.BITS));
    new Select(browser.findElement(By.id("train-dataset")))
        .selectByVisibleText(TinyTrainingJob.DATASET);
    type(browser, "train-root", TinyTrainingJob.ROOT);
    TinyTrainingJob.SCHEDULE.forEach((field, value) -> type(browser, FORM.get(field), "" + value));
    browser.findElement(By.id("train-go")).click();
    new WebDriverWait(browser, Duration.ofMinutes(6))
        .until(
            d -> text(d, "job-state").equals("SUCCEEDED") || text(d, "job-state").equals("FAILED"));
    assertThat(text(browser, "job-state")).as(text(browser, "job-detail")).isEqualTo("SUCCEEDED");
    assertThat(browser.findElement(By.id("job-progress")).getAttribute("value")).isEqualTo("1");
    assertThat(text(browser, "job-detail"))
        .contains("iteration " + TinyTrainingJob.SCHEDULE.get("outerIterations"))
        .contains("mAP");
    Object points =
        ((ChromeDriver) browser)
            .executeScript(
                "return Chart.getChart(document.getElementById('loss-chart'))"
                    + ".data.datasets[0].data.length");
    assertThat(((Number) points).intValue())
        .isEqualTo(TinyTrainingJob.SCHEDULE.get("outerIterations"));
    screenshot(browser, "training");
  }

  void itsModelIsActivated(WebDriver browser, String base) {
    browser.get(base + "/#models");
    WebElement activate =
        wait(browser)
            .until(
                ExpectedConditions.elementToBeClickable(
                    By.cssSelector("button[aria-label='Activate web-job']")));
    activate.click();
    // only an end state ends the wait (the shared machine can make re-encoding slow)
    new WebDriverWait(browser, Duration.ofMinutes(5))
        .until(d -> List.of("SUCCEEDED", "FAILED").contains(text(d, "switch-state")));
    assertThat(text(browser, "switch-state"))
        .as(text(browser, "switch-detail"))
        .isEqualTo("SUCCEEDED");
    wait(browser)
        .until(
            d ->
                d.findElement(By.cssSelector("tr[data-model='web-job']"))
                    .getText()
                    .contains("serving"));
    screenshot(browser, "models");
    browser.get(base + "/#system");
    wait(browser).until(d -> text(d, "system-info").contains("web-job"));
    screenshot(browser, "system");
    assertThat(text(browser, "system-info")).contains("Readiness").contains("UP").contains("cpu");
  }

  void theConsoleHasNoErrors(WebDriver browser) {
    List<LogEntry> errors =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
            // the hostile upload's 415 is the one failed request the browser reports
            .filter(e -> !(e.getMessage().contains("/v1/search") && e.getMessage().contains("415")))
            .toList();
    assertThat(errors).as("browser console").isEmpty();
  }

  /** One of the demo queries the service wrote at start (Fashion-MNIST test images as PNG). */
  static Path pickQuery(Path queries) throws Exception {
    try (Stream<Path> files = Files.list(queries)) {
      return files.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
    }
  }

  static List<WebElement> awaitResults(WebDriver browser, int count) {
    wait(browser).until(d -> d.findElements(By.cssSelector("#results li")).size() >= count);
    return browser.findElements(By.cssSelector("#results li"));
  }

  static void type(WebDriver browser, String id, String value) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(value);
  }

  static String text(WebDriver browser, String id) {
    return browser.findElement(By.id(id)).getText().trim();
  }

  static WebDriverWait wait(WebDriver browser) {
    // the page re-renders results as answers arrive; a lookup that lands between renders retries
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  static void screenshot(WebDriver browser, String name) {
    File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    try {
      Files.copy(
          shot.toPath(),
          SCREENSHOTS.resolve(name.toLowerCase(Locale.ROOT) + ".png"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
