package atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium (Debian's chromium + chromium-driver), driven by Selenium
 * against a real server, queue and tiny model. With {@code -Datelier.screenshots=true} it also
 * saves screenshots of the main screens into {@code docs/}.
 */
class WebUiBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;
  StudioFixture f;
  WebDriver browser;
  WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing");
    }
    Assumptions.assumeTrue(
        present,
        "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver);"
            + " .ci/run installs them");
    f = new StudioFixture(dir.resolve("server"), 8L << 20);
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chrome")));
    browser = new ChromeDriver(options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  private WebElement el(String id) {
    return browser.findElement(By.id(id));
  }

  /** The text of the first element matching {@code css}, read in one step (lists re-render). */
  private String text(String css) {
    Object t =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                css);
    return t == null ? "" : t.toString();
  }

  private void type(String id, String text) {
    el(id).clear();
    el(id).sendKeys(text);
  }

  private void screenshot(String name) throws Exception {
    if (Boolean.getBoolean("atelier.screenshots")) {
      Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(
          png,
          TinyModels.repoRoot().resolve("docs").resolve(name),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void generateWatchProgressSeeTheGalleryCancelAQueuedJobAndSeeABadSize() throws Exception {
    browser.get(f.uri("/?token=" + StudioFixture.TOKEN).toString());
    wait.until(d -> el("status").getText().equals("ready"));
    assertThat(browser.getCurrentUrl())
        .as("the token leaves the address bar")
        .doesNotContain("token");

    // A job submitted while no worker runs stays queued and can be cancelled from the queue.
    type("prompt", "a queued job");
    type("width", "64");
    type("height", "64");
    type("steps", "2");
    el("submit").click();
    wait.until(d -> !d.findElements(By.cssSelector("#queue li .cancel")).isEmpty());
    assertThat(text("#queue li .state")).isEqualTo("queued");
    ((JavascriptExecutor) browser)
        .executeScript("document.querySelector('#queue li .cancel').click()");
    wait.until(d -> text("#queue li .state").equals("cancelled"));

    // A bad size is a clear error, and nothing is queued.
    int jobs = f.queue.list(null, 0, 100).size();
    type("width", "500");
    el("submit").click();
    wait.until(d -> el("error").isDisplayed());
    assertThat(el("error").getText())
        .startsWith("width: expected a multiple of 8")
        .contains("found 500");
    assertThat(f.queue.list(null, 0, 100)).hasSize(jobs);
    screenshot("ui-error.png");

    // A generation runs: progress reaches 100 %, the image appears with its record.
    f.startWorker();
    type("prompt", "a lighthouse in a storm");
    type("negativePrompt", "blurry");
    type("width", "64");
    type("seed", "7");
    el("submit").click();
    wait.until(d -> el("progress-text").getText().startsWith("done"));
    assertThat(el("progress-text").getText()).matches("done · step (\\d+)/\\1 · 100 %.*");
    assertThat(el("error").isDisplayed()).isFalse();
    wait.until(d -> !d.findElements(By.cssSelector("#gallery figure")).isEmpty());
    List<WebElement> figures = browser.findElements(By.cssSelector("#gallery figure"));
    assertThat(figures).hasSize(1);
    assertThat(figures.get(0).getText()).contains("a lighthouse in a storm").contains("7");
    screenshot("ui-main.png");

    type("prompt", "something else");
    type("seed", "");
    figures.get(0).click();
    wait.until(d -> el("detail").isDisplayed());
    assertThat(el("record").getText())
        .contains("\"prompt\": \"a lighthouse in a storm\"")
        .contains("\"seed\": 7")
        .contains("\"negativePrompt\": \"blurry\"");
    screenshot("ui-detail.png");

    el("detail").findElement(By.id("reuse")).click();
    assertThat(el("prompt").getAttribute("value")).isEqualTo("a lighthouse in a storm");
    assertThat(el("seed").getAttribute("value")).isEqualTo("7");
  }

  /** Restarts the fixture with a tiny ×2 upscaler installed and previews that take a moment. */
  private void restartWithUpscalerAndSlowPreviews() throws Exception {
    f.close();
    Path home = dir.resolve("server2/home/models/tiny-x2");
    Files.createDirectories(home);
    Files.copy(
        TinyModels.repoRoot().resolve("core/src/test/resources/upscale/tiny-x2-even.onnx"),
        home.resolve("model.onnx"));
    Files.writeString(home.resolve(".atelier-manifest.json"), "{\"kind\":\"upscaler\"}");
    atelier.pipeline.LatentPreview cheap = atelier.pipeline.LatentPreview.cheap(2);
    f =
        new StudioFixture(
            dir.resolve("server2"),
            8L << 20,
            (latents, channels, height, width) -> {
              try {
                Thread.sleep(300); // so the page sees the preview before the job ends
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return cheap.preview(latents, channels, height, width);
            });
    f.startWorker();
  }

  @Test
  void bestOfNScoresPreviewPictureRecipePlanUpscaleAndModels() throws Exception {
    restartWithUpscalerAndSlowPreviews();
    browser.get(f.uri("/?token=" + StudioFixture.TOKEN).toString());
    wait.until(d -> el("status").getText().equals("ready"));

    // Models: the offered model, and the catalog with pull buttons.
    assertThat(text("#models tr td")).startsWith(StudioFixture.MODEL + " (default)");
    assertThat(browser.findElements(By.cssSelector("#models tr")))
        .as("the installed upscaler is not offered as a model to generate with")
        .hasSize(1);
    assertThat(browser.findElements(By.cssSelector("#catalog button.pull"))).isNotEmpty();

    // Best of 3, keep 1: a preview picture while it runs, then each candidate's score and why the
    // others were rejected.
    type("prompt", "a hill at dawn");
    type("width", "64");
    type("height", "64");
    type("steps", "2");
    type("candidates", "3");
    type("keep", "1");
    el("submit").click();
    wait.until(d -> el("preview").isDisplayed());
    assertThat(el("preview").getAttribute("src")).startsWith("data:image/png;base64,");
    wait.until(d -> el("progress-text").getText().startsWith("done"));
    wait.until(d -> d.findElements(By.cssSelector("#selection tr.rejected")).size() == 2);
    assertThat(text("#selection tr.kept td:last-child")).isEqualTo("kept");
    assertThat(text("#selection tr.rejected td:last-child")).startsWith("rejected: ");
    assertThat(text("#selection")).contains("Best of 3");
    ((JavascriptExecutor) browser)
        .executeScript("document.getElementById('selection').scrollIntoView({block: 'center'})");
    screenshot("ui-best-of-n.png");

    // The kept image's dialog shows the same ranking; upscale it ×2 with the installed upscaler.
    wait.until(d -> !d.findElements(By.cssSelector("#gallery figure")).isEmpty());
    browser.findElements(By.cssSelector("#gallery figure")).get(0).click();
    wait.until(d -> el("detail").isDisplayed());
    wait.until(d -> d.findElements(By.cssSelector("#detail-selection tr.rejected")).size() == 2);
    new org.openqa.selenium.support.ui.Select(el("detail-upscaler")).selectByValue("tiny-x2");
    new org.openqa.selenium.support.ui.Select(el("detail-scale")).selectByVisibleText("2");
    el("detail-upscale").click();
    wait.until(d -> el("progress-text").getText().startsWith("done"));
    wait.until(d -> d.findElements(By.cssSelector("#gallery figure")).size() == 2);
    ImageRow upscaled = f.queue.gallery(null, 0, 1).get(0);
    assertThat(
            javax.imageio.ImageIO.read(f.dir.resolve("outputs").resolve(upscaled.path()).toFile())
                .getWidth())
        .isEqualTo(128);

    // A recipe with its parameters and the plan of a dry run.
    new org.openqa.selenium.support.ui.Select(el("recipe")).selectByValue("art-name");
    assertThat(el("recipe-text-label").isDisplayed()).isTrue();
    assertThat(el("recipe-input-label").isDisplayed()).isFalse();
    type("recipe-text", "Atelier");
    WebElement style =
        browser.findElement(By.cssSelector("#recipe-params input[data-param=style]"));
    style.sendKeys("watercolour");
    type("recipe-seed", "9");
    el("recipe-preview").click();
    wait.until(d -> !d.findElements(By.cssSelector("#recipe-plan .plan-job")).isEmpty());
    assertThat(text("#recipe-plan .plan-job div"))
        .startsWith("art-name: seed 9, ")
        .contains("watercolor painting");
    assertThat(
            browser.findElement(By.cssSelector("#recipe-plan .plan-job img")).getAttribute("src"))
        .startsWith("data:image/png;base64,");
    assertThat(f.queue.list(null, 0, 100)).as("a dry run queues nothing").hasSize(2);
    ((JavascriptExecutor) browser)
        .executeScript("document.getElementById('recipe-form').scrollIntoView()");
    screenshot("ui-recipe.png");
  }
}
