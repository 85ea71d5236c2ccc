package dev.fuseml.reference;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.step.ReferenceGuard;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where a reference that arrived from outside (event data, API input, a webhook) is put in its
 * canonical form and checked against its org: a repository URL (a FuseML codeset is {@code /git/ORG/APP.git},
 * however the URL spells it), an environment ({@code venv:ORG/HASH}) and a model ({@code fuseml-artifacts:/ORG/...}).
 * Steps fetch with the deployment's keys, so a reference to another org's code or model that got through here
 * would hand that org's work to this one.
 *
 * <p>Repository URLs are resolved as an HTTP server resolves them before routing: percent-encoding decoded, path
 * parameters ({@code ;x}) dropped, dot segments and doubled slashes removed, {@code .git} optional. A path under
 * {@code /git/} is taken as a FuseML codeset on any host, since the control plane's own host can be spelled in
 * more ways (names, addresses, ports) than a list could hold.
 */
public final class OrgReferences implements ReferenceGuard {
    public static final int MAX_LENGTH = 2048;
    private static final String CODESETS = "git";
    private static final String VENV = "venv:";
    private static final Pattern VENV_REF = Pattern.compile("venv:([a-z0-9-]{1,63})/([0-9a-f]{8,128})");

    /** A repository URL in its canonical form; {@code codesetOrg} and {@code codesetApp} are set for a codeset. */
    public record Repository(String url, String codesetOrg, String codesetApp) {
        public boolean codeset() {
            return codesetOrg != null;
        }
    }

    /** A reference breaks a rule; the message names the reference, the rule and what to do instead. */
    public static class Refused extends IllegalArgumentException {
        public Refused(String message) {
            super(message);
        }
    }

    @Override
    public void check(RunRef ref, Object data) {
        try {
            String org = ref.org();
            if (data instanceof Push p) {
                repository(org, p.repository());
            } else if (data instanceof Received r) {
                repository(org, r.repository());
            } else if (data instanceof Built b) {
                repository(org, b.repository());
                environment(org, b.environment());
            } else if (data instanceof Trained t) {
                repository(org, t.repository());
                environment(org, t.environment());
                model(org, t.modelUri());
            } else if (data instanceof Registered g) {
                environment(org, g.environment());
                model(org, g.modelUri());
            }
        } catch (Refused e) {
            throw new StepFailure(e.getMessage());
        }
    }

    /**
     * The canonical form of a repository URL that a run (or a webhook) of {@code org} may fetch: http(s) only (a
     * {@code file:} or {@code ssh:} URL would reach this machine's disk or keys), and a FuseML codeset only of
     * {@code org}. Null stays null (the step that needs it says what is missing).
     */
    public static Repository repository(String org, String url) {
        if (url == null) {
            return null;
        }
        Repository repository = canonical(url);
        if (repository.codeset() && !repository.codesetOrg().equals(org)) {
            throw new Refused("the repository " + url + " is a codeset of org '" + repository.codesetOrg()
                    + "' (app '" + repository.codesetApp() + "'): org '" + org + "' may use its own codesets only "
                    + "(/git/" + org + "/APP.git) or a repository outside FuseML; push the code to org '" + org
                    + "' (fuseml push)");
        }
        return repository;
    }

    /**
     * Whether a fetch of {@code url} may carry the deployment's token: only when it is, canonically, one of the
     * control plane's own codesets (the org check has been made by then).
     */
    public static boolean ownCodeset(String controlPlane, String url) {
        try {
            Repository repository = canonical(url);
            return repository.codeset() && repository.url().startsWith(canonical(controlPlane.replaceAll("/+$", "")
                    + "/").url().replaceAll("/+$", "") + "/" + CODESETS + "/");
        } catch (Refused e) {
            return false;
        }
    }

    /** {@code fuseml-artifacts:/ORG/APP/RUN/NAME} of {@code org}; null stays null. */
    public static ArtifactUri model(String org, String uri) {
        if (uri == null) {
            return null;
        }
        ArtifactUri model;
        try {
            model = ArtifactUri.parse(bounded("model URI", uri));
        } catch (Refused e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Refused("the model URI is refused: " + e.getMessage());
        }
        if (!model.org().equals(org)) {
            throw new Refused("the model " + uri + " belongs to org '" + model.org() + "': org '" + org + "' may "
                    + "register and serve its own models only (" + ArtifactUri.SCHEME + org + "/APP/RUN/NAME)");
        }
        return model;
    }

    /**
     * An environment reference: {@code venv:ORG/HASH} of {@code org} on one machine; on a cluster an image reference,
     * which runs in the org's own namespace. Null stays null.
     */
    public static String environment(String org, String environment) {
        if (environment == null) {
            return null;
        }
        bounded("environment", environment);
        if (environment.regionMatches(true, 0, VENV, 0, VENV.length())) {
            Matcher venv = VENV_REF.matcher(environment);
            if (!venv.matches()) {
                throw new Refused("the environment '" + environment + "' is not of the form venv:ORG/HASH");
            }
            if (!venv.group(1).equals(org)) {
                throw new Refused("the environment " + environment + " belongs to org '" + venv.group(1) + "': org '"
                        + org + "' runs in its own environments only (the build step makes them)");
            }
        } else if (!environment.matches("[A-Za-z0-9][A-Za-z0-9._:/@+-]*")) {
            throw new Refused("the environment '" + environment + "' is neither venv:ORG/HASH nor an image "
                    + "reference");
        }
        return environment;
    }

    private static String bounded(String what, String value) {
        if (value.length() > MAX_LENGTH) {
            throw new Refused("the " + what + " is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new Refused("the " + what + " contains a control character");
            }
        }
        return value;
    }

    /** The canonical form of a repository URL, without an org check (for keys such as a mirror's name). */
    public static String canonicalUrl(String url) {
        return canonical(url).url();
    }

    static Repository canonical(String url) {
        bounded("repository URL", url);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("the repository '" + url + "' is not a URL (" + e.getReason() + "): give the "
                    + "http(s) URL a git clone takes");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("the repository must be an http(s) URL, got '" + url + "': FuseML fetches code over "
                    + "git's smart HTTP only");
        }
        if (uri.getHost() == null) {
            throw new Refused("the repository URL '" + url + "' names no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Refused("the repository URL '" + url + "' has a query or fragment: give the URL a git clone "
                    + "takes, without '?' or '#'");
        }
        String path = uri.getPath() == null ? "" : uri.getPath(); // percent-decoded
        if (path.indexOf('\\') >= 0) {
            throw new Refused("the repository URL '" + url + "' has a backslash in its path");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            int parameters = segment.indexOf(';'); // servlet containers drop path parameters before routing
            String s = parameters >= 0 ? segment.substring(0, parameters) : segment;
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                continue;
            }
            segments.add(s);
        }
        String codesetOrg = null;
        String codesetApp = null;
        if (!segments.isEmpty() && segments.get(0).equalsIgnoreCase(CODESETS)) {
            String app = segments.size() == 3 ? segments.get(2).replaceFirst("(?i)\\.git$", "") : "";
            if (segments.size() != 3 || !Names.valid(segments.get(1)) || !Names.valid(app)) {
                throw new Refused("the repository URL '" + url + "' is under FuseML's codesets (/git/) but is not "
                        + "/git/ORG/APP.git with " + Names.RULE);
            }
            codesetOrg = segments.get(1);
            codesetApp = app;
            segments = List.of(CODESETS, codesetOrg, codesetApp + ".git");
        }
        try {
            String canonical = new URI(scheme, uri.getRawUserInfo() == null ? null : uri.getUserInfo(),
                    uri.getHost().toLowerCase(Locale.ROOT), uri.getPort(), "/" + String.join("/", segments), null,
                    null).toASCIIString();
            return new Repository(canonical, codesetOrg, codesetApp);
        } catch (URISyntaxException e) {
            throw new Refused("the repository URL '" + url + "' cannot be put in canonical form: " + e.getReason());
        }
    }
}
