package dev.fuseml.ui;

import dev.fuseml.auth.AuthProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * The web page's sign-in through the running orchestrator: a one-time code from a token becomes a session cookie
 * that reads what the token reads, and nothing more; the page's files carry a strict Content-Security-Policy.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class UiSignInTest {
    private static String red;

    @BeforeEach
    void anOrgWithAToken() {
        if (red != null) {
            return;
        }
        for (String name : new String[]{"red", "blue"}) {
            given().header("Authorization", "Bearer " + AuthProfile.ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("name", name)).post("/api/v1/orgs").then()
                    .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        }
        red = given().header("Authorization", "Bearer " + AuthProfile.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("org", "red", "description", "ui")).post("/api/v1/tokens").then().statusCode(201)
                .extract().path("token");
    }

    private static String code(String token) {
        return given().header("Authorization", "Bearer " + token).post("/api/v1/ui/codes").then().statusCode(200)
                .extract().path("code");
    }

    private static Response signIn(String code) {
        return given().redirects().follow(false).get("/ui/signin?code=" + code);
    }

    @Test
    void aCodeBecomesAnHttpOnlyStrictSessionCookieOnceAndTheBrowserLeavesTheCodesUrl() {
        String code = code(red);
        Response first = signIn(code);
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(first.header("Location")).isEqualTo("/ui/");
        String setCookie = first.header("Set-Cookie");
        assertThat(setCookie).startsWith(UiSessions.COOKIE + "=").containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict", "Path=/", "Max-Age=28800");
        Response again = signIn(code);
        assertThat(again.header("Location")).isEqualTo("/ui/#signin-expired");
        assertThat(again.header("Set-Cookie")).isNull();
        assertThat(signIn("not-a-code").header("Location")).isEqualTo("/ui/#signin-expired");
    }

    @Test
    void theSessionReadsWhatItsTokenReadsAndWritesNothing() {
        String session = signIn(code(red)).getCookie(UiSessions.COOKIE);
        given().cookie(UiSessions.COOKIE, session).get("/api/v1/whoami").then().statusCode(200)
                .body(containsString("red"));
        given().cookie(UiSessions.COOKIE, session).get("/ui/session").then().statusCode(200)
                .body("signedIn", org.hamcrest.Matchers.is(true));
        given().get("/ui/session").then().statusCode(200).body("signedIn", org.hamcrest.Matchers.is(false));
        given().cookie(UiSessions.COOKIE, session).get("/api/v1/orgs/red/apps").then().statusCode(200);
        given().cookie(UiSessions.COOKIE, session).get("/api/v1/orgs/blue/apps").then().statusCode(403);
        // a write needs the token: the cookie alone is no credential for it (no CSRF possible)
        given().cookie(UiSessions.COOKIE, session).contentType(ContentType.JSON).body(Map.of("name", "x"))
                .post("/api/v1/orgs").then().statusCode(401);
        given().cookie(UiSessions.COOKIE, session).post("/api/v1/ui/codes").then().statusCode(401);
        given().cookie(UiSessions.COOKIE, "forged").get("/api/v1/whoami").then().statusCode(401);
        given().redirects().follow(false).cookie(UiSessions.COOKIE, session).get("/ui/signout").then()
                .statusCode(303);
        given().cookie(UiSessions.COOKIE, session).get("/api/v1/whoami").then().statusCode(401);
    }

    @Test
    void withoutATokenNoCodeIsMade() {
        given().post("/api/v1/ui/codes").then().statusCode(401);
    }

    @Test
    void thePageLoadsWithoutASessionUnderAStrictPolicyAndLoadsNothingFromElsewhere() {
        Response page = given().get("/ui/");
        assertThat(page.statusCode()).isEqualTo(200);
        String csp = page.header("Content-Security-Policy");
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        String html = page.asString();
        assertThat(html).contains("<script src=\"app.js\"").doesNotContainPattern("<script>|style=|https?://");
        String js = given().get("/ui/app.js").then().statusCode(200).header("Content-Security-Policy",
                org.hamcrest.Matchers.notNullValue()).extract().asString();
        // no address elsewhere (SVG's namespace name is no address that is loaded)
        assertThat(js.replace("http://www.w3.org/2000/svg", "")).doesNotContain("innerHTML")
                .doesNotContainPattern("https?://[a-z]");
    }
}
