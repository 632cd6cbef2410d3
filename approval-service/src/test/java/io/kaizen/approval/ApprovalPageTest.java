package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.connect;
import static io.kaizen.approval.ApprovalApi.formToken;
import static io.kaizen.approval.ApprovalApi.internal;
import static io.kaizen.approval.ApprovalApi.linkPath;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.kaizen.approval.ApprovalApi.post;
import static io.kaizen.approval.ApprovalApi.workflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.kaizen.approval.domain.ApprovalLink;
import io.kaizen.approval.service.LinkTokens;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The approver page behind a notification's link: it decides once, for its listed recipient, through the API's
 * decision rules; tampered, expired, used and non-approver links are refused; cross-site posts are refused; every
 * value is escaped.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalPageTest {

    static final String ALICE = "alice@example.com";
    static final String CAROL = "carol@example.com";

    /** A workflow of {@code org} whose approvers are alice by e-mail and bob by id, telling alice and carol. */
    static void emailWorkflow(String org, int required) {
        workflow(org, "default", """
                {"approver_roles": [], "approver_users": ["%s", "bob"], "required_approvals": %d,
                 "notification_channels": [{"type": "email", "to": "%s"}, {"type": "email", "to": "%s"}]}"""
                .formatted(ALICE, required, ALICE, CAROL));
    }

    @Test
    void aLinkShowsTheRequestAndApprovesItOnceAsItsRecipient() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String agent = newAgent();
        String id = opened(org, agent, "dev-1");
        String path = linkPath(id, ALICE);
        assertThat(path).matches("/approvals/review/apl_[0-9A-Z]{26}\\.[A-Za-z0-9_-]{43}");

        String html = given().when().get(path).then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "same-origin")
                .header("X-Frame-Options", "DENY")
                .body(containsString(id), containsString(agent), containsString("dev-1"),
                        containsString("Cost threshold exceeded ($150.00 &gt; $100.00)"), containsString("$150.00"),
                        containsString(ALICE), containsString("0 of 1"),
                        not(containsString("hunter2")))
                .extract().asString();

        post(path, "approve", formToken(html), "fine by me").statusCode(200)
                .body(containsString("You approved the request"), containsString("approved"));
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("approvals[0].approver_id", equalTo(ALICE))
                .body("approvals[0].reason", equalTo("fine by me"));

        // used: neither the page nor another decision
        given().when().get(path).then().statusCode(410).body(containsString("This link was already used"),
                containsString("sign in"));
        post(path, "reject", formToken(html), "changed my mind").statusCode(410);
    }

    @Test
    void aTamperedTokenIsRefusedAndReadsNothing() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String html = given().when().get(path).then().statusCode(200).extract().asString();
        char last = path.charAt(path.length() - 1);
        String signatureChanged = path.substring(0, path.length() - 1) + (last == 'A' ? 'B' : 'A');
        String otherLink = path.replace(path.substring(18, 48), PrefixedId.next("apl"));
        for (String tampered : List.of(signatureChanged, otherLink, "/approvals/review/nope",
                path.substring(0, path.indexOf('.')))) {
            given().when().get(tampered).then().statusCode(404).body(containsString("This link is not valid"));
            post(tampered, "approve", formToken(html), null).statusCode(404);
        }
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().body("status", equalTo("pending"));
    }

    @Test
    void anExpiredLinkFallsBackToSigningIn() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String html = given().when().get(path).then().statusCode(200).extract().asString();
        // the link as it would have been signed had it been issued with an expiry now past
        ApprovalLink link = new ApprovalLink();
        link.id = path.substring("/approvals/review/".length(), path.indexOf('.'));
        link.requestId = id;
        link.recipient = ALICE;
        link.expiresAt = Instant.now().minusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        try (var db = connect(); PreparedStatement update = db.prepareStatement(
                "update approval_link set expires_at = ? where id = ?")) {
            update.setTimestamp(1, Timestamp.from(link.expiresAt));
            update.setString(2, link.id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        String expired = "/approvals/review/" + signer().token(link);
        // the old token no longer matches what is stored: its expiry is signed
        given().when().get(path).then().statusCode(404);
        given().when().get(expired).then().statusCode(410)
                .body(containsString("This link has expired"), containsString("sign in"),
                        containsString("/api/v1/approvals/" + id + "/approve"));
        post(expired, "approve", formToken(html), null).statusCode(410);
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().body("status", equalTo("pending"));
    }

    /** The link signer of the service, with the test profile's key. */
    static LinkTokens signer() {
        return new LinkTokens(ConfigProvider.getConfig().getValue("kaizen.approvals.link-key", String.class));
    }

    @Test
    void aLinkOfSomeoneWhoIsNotAListedApproverDecidesNothing() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, CAROL);
        given().when().get(path).then().statusCode(403)
                .body(containsString("You are not an approver of this request"), not(containsString("form_token")));
        // with the form token her page would have carried, the decision itself is refused
        String linkId = path.substring("/approvals/review/".length(), path.indexOf('.'));
        String carolsForm = signer().formToken(linkId);
        post(path, "approve", carolsForm, null).statusCode(403)
                .body(containsString("You are not an approver of this request"));
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().body("status", equalTo("pending"));
    }

    @Test
    void theRequesterCannotApproveTheirOwnRequestThroughALink() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), ALICE);
        given().when().get(linkPath(id, ALICE)).then().statusCode(403)
                .body(containsString("You cannot approve your own request"));
    }

    @Test
    void crossSitePostsAndPostsWithoutTheFormTokenAreRefused() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String token = formToken(given().when().get(path).then().statusCode(200).extract().asString());

        post(path, "approve", null, null).statusCode(403).body(containsString("Decision refused"));
        post(path, "approve", token.substring(1) + "x", null).statusCode(403);
        given().contentType("application/x-www-form-urlencoded").header("Origin", "https://evil.example")
                .formParam("form_token", token).when().post(path + "/approve").then().statusCode(403)
                .body(containsString("Decision refused"));
        given().contentType("application/x-www-form-urlencoded").header("Sec-Fetch-Site", "cross-site")
                .formParam("form_token", token).when().post(path + "/approve").then().statusCode(403);
        given().contentType("application/x-www-form-urlencoded").header("Origin", "null")
                .formParam("form_token", token).when().post(path + "/approve").then().statusCode(403);
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().body("status", equalTo("pending"));

        // none of them used the link up
        post(path, "approve", token, null).statusCode(200).body(containsString("You approved the request"));
    }

    @Test
    void rejectingNeedsAReasonAndTheSameRulesAsTheApi() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String token = formToken(given().when().get(path).then().statusCode(200).extract().asString());
        post(path, "reject", token, "  ").statusCode(400).body(containsString("A reason is required to reject."));
        post(path, "reject", token, "x".repeat(1001)).statusCode(400)
                .body(containsString("at most 1000 characters"));
        post(path, "reject", token, "too costly").statusCode(200)
                .body(containsString("You rejected the request"), containsString("rejected"));
        as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("rejected"))
                .body("rejections[0].approver_id", equalTo(ALICE))
                .body("rejections[0].reason", equalTo("too costly"));
    }

    @Test
    void aLinkApprovalCountsTowardsTheQuorumOnceAndTheRequestClosesForOtherLinks() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 2);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String token = formToken(given().when().get(path).then().statusCode(200).extract().asString());
        post(path, "approve", token, null).statusCode(200).body(containsString("1 of 2"));
        // the same approver again, through the API, counts once
        as(org, ALICE, "approver").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(200).body("status", equalTo("pending")).body("approval_count", equalTo(1));
        as(org, "bob", "approver").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(200).body("status", equalTo("approved"));
        given().when().get(linkPath(id, CAROL)).then().statusCode(409)
                .body(containsString("This request is no longer pending"));
    }

    @Test
    void twoSubmissionsOfOneLinkAtTheSameInstantDecideOnce() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String id = opened(org, newAgent(), "dev-1");
        String path = linkPath(id, ALICE);
        String token = formToken(given().when().get(path).then().statusCode(200).extract().asString());
        Callable<Integer> approve = () -> post(path, "approve", token, null).extract().statusCode();
        Callable<Integer> reject = () -> post(path, "reject", token, "no").extract().statusCode();
        List<Integer> codes = ApprovalApi.together(List.of(approve, reject, approve));
        assertThat(codes).containsOnlyOnce(200);
        assertThat(codes.stream().filter(code -> code != 200)).allMatch(code -> code == 410 || code == 409);
        var view = as(org, "auditor-1", "auditor").when().get("/api/v1/approvals/" + id).then().extract();
        assertThat(view.<List<?>>path("approvals").size() + view.<List<?>>path("rejections").size()).isEqualTo(1);
    }

    @Test
    void hostileValuesAreEscapedOnThePage() throws Exception {
        String org = newOrg();
        emailWorkflow(org, 1);
        String requester = "\\\"><img src=x onerror=alert(1)>";
        String id = internal().body("""
                {"invocation_id": "%s", "organization_id": "%s", "agent_id": "%s", "requested_by": "%s",
                 "external_user_id": "<b>ext</b>", "trigger_reason": "<script>alert('reason')</script> & more",
                 "payload_summary": "</pre><script>alert('payload')</script>"}"""
                        .formatted(PrefixedId.next(PrefixedId.INVOCATION), org, newAgent(), requester))
                .when().post("/internal/v1/approval-requests").then().statusCode(201).extract().path("id");
        given().when().get(linkPath(id, ALICE)).then().statusCode(200)
                .body(not(containsString("<script>")), not(containsString("<img")), not(containsString("<b>ext")),
                        not(containsString("</pre><script")),
                        containsString("&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt; &amp; more"),
                        containsString("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
                        containsString("&lt;b&gt;ext&lt;/b&gt;"));
    }
}
