package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.linkPath;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.opened;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The approver page in a real browser: Debian's {@code chromium} driven by its {@code chromedriver} through Selenium,
 * headless, with nothing but the page's HTML forms (no JavaScript on the page). Without the browser the test fails:
 * {@code .ci/run} installs it (README, "Test it").
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TestHTTPResource("/")
    URL service;

    @Test
    void anApproverOpensTheLinkApprovesWithAReasonAndSeesTheOutcome() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium: apt-get install -y chromium chromium-driver").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver: apt-get install -y chromium chromium-driver")
                .isExecutable();
        String org = newOrg();
        ApprovalPageTest.emailWorkflow(org, 1);
        String agent = newAgent();
        String id = opened(org, agent, "dev-1");
        String page = service.toString().replaceAll("/$", "") + linkPath(id, ApprovalPageTest.ALICE);

        Path profile = Files.createTempDirectory("approval-browser-");
        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        WebDriver browser = new ChromeDriver(driverService, options);
        try {
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            browser.get(page);
            assertThat(browser.getTitle()).isEqualTo("Approval request " + id);
            assertThat(browser.findElement(By.id("request-id")).getText()).isEqualTo(id);
            assertThat(browser.findElement(By.id("agent")).getText()).isEqualTo(agent);
            assertThat(browser.findElement(By.id("requested-by")).getText()).isEqualTo("dev-1");
            assertThat(browser.findElement(By.id("reasons")).getText())
                    .isEqualTo("Cost threshold exceeded ($150.00 > $100.00)");
            assertThat(browser.findElement(By.id("cost")).getText()).isEqualTo("$150.00");
            assertThat(browser.findElement(By.id("time-left")).getText()).startsWith("23 h ");
            assertThat(browser.findElement(By.id("approver")).getText()).isEqualTo(ApprovalPageTest.ALICE);

            browser.findElement(By.id("approve-reason")).sendKeys("Checked the contract: fine");
            browser.findElement(By.id("approve")).click();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(browser.findElement(By.id("title")).getText()).isEqualTo("You approved the request"));
            assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("approved");
            assertThat(browser.findElement(By.id("message")).getText())
                    .contains("The request is approved: the held call runs now.");

            // the link decided once: opening it again points to signing in
            browser.get(page);
            assertThat(browser.findElement(By.id("title")).getText()).isEqualTo("This link was already used");
            assertThat(browser.findElement(By.id("sign-in")).getText()).contains("sign in to Kaizen");
        } finally {
            browser.quit();
            driverService.stop();
            delete(profile);
        }

        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("approvals[0].approver_id", equalTo(ApprovalPageTest.ALICE))
                .body("approvals[0].reason", equalTo("Checked the contract: fine"));
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
