package dev.tripline.collector.http;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium through Debian's chromedriver: nothing is
 * downloaded.
 *
 * <p>Selenium Manager (the native helper Selenium extracts to {@code ~/.cache/selenium} and runs to
 * find or download a driver and a browser) never runs: in Selenium 4.52 {@code DriverFinder}
 * consults it only when the service has no executable, no {@code SE_CHROMEDRIVER} environment
 * variable and no {@code webdriver.chrome.driver} property is set; {@code usingDriverExecutable}
 * sets the executable, so {@code ChromeDriver} and {@code DriverService.start()} both skip it. With
 * no Selenium Manager result there is no browser path from it either, and Chromium is the binary
 * given in the options.
 */
final class SystemChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  final ChromeDriver driver;

  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /**
   * Starts chromedriver and a headless Chromium whose profile and driver log live in {@code dir}.
   */
  SystemChromium(Path dir) {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .withLogFile(dir.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,900",
                "--user-data-dir=" + dir.resolve("chrome"));
    driver = new ChromeDriver(service, options);
  }

  @Override
  public void close() {
    // Chromium and its helpers are chromedriver's descendants: wait until every one has exited, or
    // they still write the profile while the test's temp directory is being deleted.
    List<ProcessHandle> tree = new ArrayList<>();
    ProcessHandle.current()
        .children()
        .filter(
            p ->
                p.info()
                    .command()
                    .map(c -> new File(c).getName().equals("chromedriver"))
                    .orElse(false))
        .forEach(
            p -> {
              tree.add(p);
              p.descendants().forEach(tree::add);
            });
    try {
      driver.quit();
    } finally {
      for (ProcessHandle p : tree) {
        p.destroy();
      }
      for (ProcessHandle p : tree) {
        try {
          p.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception slow) {
          p.destroyForcibly();
        }
      }
    }
  }
}
