package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web page in a real browser (Debian's headless Chromium driven by Selenium): after two pushes of the wine example
 * and the custom-chain example's triggers, `fuseml ui --no-browser` signs the browser in; the apps page, the app's
 * chart with two points, a run's five-step timeline (live while a third push runs), its event trace and the chain
 * graph with the quality gate are there; a URL without the session gets the sign-in page; the page fits 1,400 px and
 * a phone's width, works from the keyboard, and the console shows no error. Screenshots go to
 * target/ui-screenshots (README shows them, copied to docs/ui once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHOTS = Path.of("target", "ui-screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private CliProcess cli;
    private ChromeDriver browser;
    private String server;
    private final List<String> consoleErrors = new ArrayList<>();

    @BeforeAll
    void twoVersionsOfWineAndTheQualityGatesChain() throws Exception {
        cli = CliProcess.installed("fuseml-ui", Map.of());
        for (String[] push : new String[][]{{"push", "wine", example()}, {"push", "wine", example(), "-P",
                "alpha=0.9"}}) {
            CliProcess.Result r = cli.run(push);
            assertThat(r.exitCode()).as(r.all()).isZero();
        }
        server = JSON.readTree(cli.run("status", "-o", "json").out()).path("url").asText();
        Files.createDirectories(SHOTS);
        browser = chromium();
    }

    private static String example() {
        return CliProcess.repo().resolve("examples/sklearn-wine").toString();
    }

    /** Headless Chromium as root on a machine without network beyond loopback (flags from the machine's notes). */
    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions().setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"))
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=1400,900");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(
                System.getProperty("chromedriver", "/usr/bin/chromedriver"))).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (cli != null) {
            cli.purge();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, PATIENCE);
    }

    private void shot(String name) throws Exception {
        Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Errors the page's console showed since the last call (kept for the last test). */
    private List<String> drainConsole() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
        consoleErrors.addAll(errors);
        return errors;
    }

    private void fitsWithoutSidewaysScrolling(String page) {
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as(page + " scrolls sideways").isLessThanOrEqualTo(0);
    }

    @Test
    @Order(1)
    void withoutTheSessionTheBrowserGetsTheSignInPage() {
        browser.get(server + "/ui/");
        WebElement signIn = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        assertThat(signIn.getText()).contains("fuseml ui");
        browser.get(server + "/ui/#/workspace/apps/wine");
        assertThat(waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin"))).getText())
                .contains("Sign in");
        assertThat(browser.findElements(By.id("versions"))).isEmpty();
    }

    @Test
    @Order(2)
    void fumlUiSignsTheBrowserInAndTheAppsPageListsWine() throws Exception {
        CliProcess.Result ui = cli.run("ui", "--no-browser");
        assertThat(ui.exitCode()).as(ui.all()).isZero();
        String link = ui.out().lines().filter(l -> l.contains("/ui/signin?code=")).findFirst().orElseThrow();
        browser.get(link.strip());
        WebElement row = waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#apps-table tr[data-app='wine']")));
        assertThat(browser.getCurrentUrl()).doesNotContain("code=");
        assertThat(row.getText()).contains("wine", "/v2/models/wine/infer", "2", "succeeded");
        fitsWithoutSidewaysScrolling("the apps page at 1,400 px");
        shot("apps");
        // a second use of the same link is refused
        browser.manage().deleteAllCookies();
        browser.get(link.strip());
        assertThat(waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin"))).getText())
                .contains("used or has expired");
        browser.get(cli.run("ui", "--no-browser").out().lines().filter(l -> l.contains("/ui/signin?code="))
                .findFirst().orElseThrow().strip());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("apps-table")));
    }

    @Test
    @Order(3)
    void theAppsPageChartsEachMetricOverTheTwoVersionsAndShowsEachRunsFiveSteps() throws Exception {
        browser.get(server + "/ui/#/workspace/apps");
        WebElement app = waiting().until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("#apps-table tr[data-app='wine'] a")));
        app.sendKeys(Keys.ENTER); // the keyboard reaches and follows it
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("versions")));
        List<WebElement> charts = browser.findElements(By.cssSelector("svg.chart"));
        assertThat(charts).isNotEmpty();
        WebElement rmse = browser.findElement(By.cssSelector("svg.chart[data-metric='rmse']"));
        assertThat(rmse.findElements(By.tagName("circle"))).hasSize(2);
        assertThat(rmse.getText()).contains("version", "rmse");
        assertThat(browser.findElements(By.cssSelector("#versions tbody tr"))).hasSize(2);
        assertThat(browser.findElement(By.cssSelector("#versions tr[data-version='2']")).getText())
                .contains("served", "alpha=0.9");
        List<WebElement> runs = browser.findElements(By.cssSelector("section.run"));
        assertThat(runs).hasSize(2);
        for (WebElement run : runs) {
            List<WebElement> steps = run.findElements(By.cssSelector(".timeline .step"));
            assertThat(steps).extracting(s -> s.getAttribute("data-step"))
                    .containsExactly("receive", "build", "train", "register", "serve");
            assertThat(steps).allSatisfy(s -> assertThat(s.getAttribute("data-status")).isEqualTo("succeeded"));
        }
        fitsWithoutSidewaysScrolling("the app page at 1,400 px");
        shot("app");
    }

    @Test
    @Order(4)
    void aRunningPushIsFollowedLiveUntilItIsServed() throws Exception {
        browser.get(server + "/ui/#/workspace/apps/wine");
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("section.run"), 2));
        CliProcess.Result push = cli.run("push", "wine", example(), "-P", "alpha=0.3", "--no-follow");
        assertThat(push.exitCode()).as(push.all()).isZero();
        // no reload: the page long-polls the run and draws it again as it goes
        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("section.run"), 3));
        waiting().until(d -> d.findElements(By.cssSelector("section.run[data-status='succeeded']")).size() == 3);
        assertThat(browser.findElement(By.cssSelector("svg.chart[data-metric='rmse']"))
                .findElements(By.tagName("circle"))).hasSize(3);
    }

    @Test
    @Order(5)
    void aRunsPageShowsItsEventTraceWithTheTriggersEachEventMatched() throws Exception {
        JsonNode app = JSON.readTree(cli.run("apps", "-o", "json").out()).get(0);
        browser.get(server + "/ui/#/workspace/runs/" + app.path("lastRun").asText());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("trace")));
        List<WebElement> events = browser.findElements(By.cssSelector("#trace tr.event"));
        assertThat(events).extracting(e -> e.getAttribute("data-type")).contains("dev.fuseml.push",
                "dev.fuseml.received", "dev.fuseml.built", "dev.fuseml.trained", "dev.fuseml.registered",
                "dev.fuseml.served");
        WebElement trained = browser.findElement(By.cssSelector("#trace tr.event[data-type='dev.fuseml.trained']"));
        assertThat(trained.getText()).contains("fuseml-register").containsPattern("#1: 2\\d\\d in \\d+ ms");
        assertThat(browser.findElements(By.cssSelector("section.run .timeline .step"))).hasSize(5);
        fitsWithoutSidewaysScrolling("the run page at 1,400 px");
        shot("run");
    }

    @Test
    @Order(6)
    void theChainPageDrawsTheBrokerTheTriggersWithTheGateAndTheirSubscribers() throws Exception {
        Path triggers = cli.home().resolve("triggers.yaml");
        Files.copy(CliProcess.repo().resolve("examples/custom-chain/triggers.yaml"), triggers);
        CliProcess.Result applied = cli.run("triggers", "apply", triggers.toString());
        assertThat(applied.exitCode()).as(applied.all()).isZero();
        browser.get(server + "/ui/#/workspace/chain");
        WebElement graph = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("chain")));
        assertThat(graph.findElements(By.cssSelector(".node.broker"))).hasSize(1);
        assertThat(graph.findElements(By.cssSelector(".node.trigger.custom"))).extracting(
                e -> e.getAttribute("data-trigger")).contains("quality-gate", "fuseml-register");
        assertThat(graph.findElements(By.cssSelector(".node.trigger")).size()).isGreaterThanOrEqualTo(6);
        assertThat(graph.findElements(By.cssSelector(".node.deadletter"))).isNotEmpty();
        assertThat(graph.getText()).contains("receive step", "serve step", "127.0.0.1:8090");
        assertThat(browser.findElement(By.cssSelector("#triggers tr[data-trigger='quality-gate']")).getText())
                .contains("dev.fuseml.trained");
        fitsWithoutSidewaysScrolling("the chain page at 1,400 px");
        shot("chain");
    }

    @Test
    @Order(7)
    void onAPhonesWidthEveryPageFitsAndTheConsoleShowedNoError() {
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String page : List.of("apps", "apps/wine", "chain")) {
                browser.get(server + "/ui/#/workspace/" + page);
                waiting().until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
                await().atMost(PATIENCE).until(() -> !browser.findElement(By.tagName("h1")).getText()
                        .contains("Loading"));
                fitsWithoutSidewaysScrolling(page + " at 390 px");
            }
        } finally {
            browser.manage().window().setSize(new Dimension(1400, 900));
        }
        drainConsole();
        assertThat(consoleErrors).as("errors in the browser's console").isEmpty();
    }
}
