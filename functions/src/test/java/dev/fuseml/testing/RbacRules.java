package dev.fuseml.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of config/'s ClusterRoles, and the requests an API server would check against them (the verb from the
 * method and the path, as Kubernetes' authorizer derives it).
 */
public final class RbacRules {
    /**
     * What the tests do in the place of the cluster (install CRDs, list and complete Jobs, make Services and Seldon's
     * resources Ready).
     */
    public static final java.util.Set<String> TEST_ONLY = java.util.Set.of("create customresourcedefinitions",
            "delete customresourcedefinitions", "list jobs", "update jobs/status", "update services/status",
            "list services", "create pods", "create brokers", "update brokers/status", "get secrets",
            "update seldondeployments/status", "update models/status", "list seldondeployments");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One request as RBAC sees it: verb, API group, resource (with subresource), object name (or ""). */
    public record Request(String verb, String group, String resource, String name) {
        public static Request of(String method, String rawPath) {
            String path = rawPath.split("\\?", 2)[0];
            boolean watch = rawPath.contains("watch=true");
            String[] s = path.replaceAll("^/+", "").split("/");
            int i;
            String group;
            if (s[0].equals("api")) {
                group = "";
                i = 2; // api/v1/...
            } else {
                group = s[1];
                i = 3; // apis/GROUP/VERSION/...
            }
            if (i < s.length && s[i].equals("namespaces") && i + 2 < s.length) {
                i += 2; // namespaces/NS/...
            }
            String resource = s[i];
            String name = i + 1 < s.length ? s[i + 1] : "";
            if (i + 2 < s.length) {
                resource = resource + "/" + s[i + 2];
            }
            String verb = switch (method) {
                case "GET" -> watch ? "watch" : name.isEmpty() ? "list" : "get";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
                default -> method.toLowerCase();
            };
            return new Request(verb, group, resource, name);
        }
    }

    /** One verb on one resource that a rule grants (limited to names when the rule lists them). */
    public record Grant(String verb, String group, String resource, List<String> names) {
        boolean covers(Request r) {
            return verb.equals(r.verb()) && group.equals(r.group()) && resource.equals(r.resource())
                    && (names.isEmpty() || names.contains(r.name()));
        }
    }

    private final List<Grant> grants;

    private RbacRules(List<Grant> grants) {
        this.grants = grants;
    }

    public static RbacRules read(Path file) throws IOException {
        return read(file, java.util.Set.of());
    }

    /** The rules of the ClusterRoles and Roles named {@code roles} (all of the file's when empty). */
    public static RbacRules read(Path file, java.util.Set<String> roles) throws IOException {
        List<Grant> grants = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (!List.of("ClusterRole", "Role").contains(doc.path("kind").asText()) || (!roles.isEmpty()
                        && !roles.contains(doc.path("metadata").path("name").asText()))) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    List<String> names = new ArrayList<>();
                    rule.path("resourceNames").forEach(n -> names.add(n.asText()));
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                if (verb.asText().equals("*") || resource.asText().equals("*")
                                        || group.asText().equals("*")) {
                                    throw new IllegalStateException("a wildcard in " + file + ": name each verb");
                                }
                                grants.add(new Grant(verb.asText(), group.asText(), resource.asText(), names));
                            }
                        }
                    }
                }
            }
        }
        return new RbacRules(grants);
    }

    /** Every request the mock server has recorded since the last call, as RBAC sees it. */
    public static java.util.Set<Request> drain(io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server)
            throws InterruptedException {
        return new java.util.HashSet<>(drainWithPlaces(server).stream().map(Seen::request).toList());
    }

    /**
     * A request and where it went: {@code apiVersion} ({@code v1} or {@code GROUP/VERSION}), the resource's plural
     * and its namespace (empty for cluster-scoped ones).
     */
    public record Seen(Request request, String apiVersion, String plural, String namespace) {
        static Seen of(String method, String rawPath) {
            String[] s = rawPath.split("\\?", 2)[0].replaceAll("^/+", "").split("/");
            int i = s[0].equals("api") ? 2 : 3;
            String apiVersion = s[0].equals("api") ? s[1] : s[1] + "/" + s[2];
            String namespace = "";
            if (i < s.length && s[i].equals("namespaces") && i + 2 < s.length) {
                namespace = s[i + 1];
                i += 2;
            }
            return new Seen(Request.of(method, rawPath), apiVersion, s[i], namespace);
        }
    }

    /** What was asked since the last drain, in order, with where each request went. */
    public static List<Seen> drainWithPlaces(io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server)
            throws InterruptedException {
        List<Seen> seen = new java.util.ArrayList<>();
        for (var r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
                r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            seen.add(Seen.of(r.getMethod(), r.getPath()));
        }
        return seen;
    }

    /**
     * Least privilege, checked: each request is allowed, and each grant is used by one ("bind" is no request: the
     * API server checks it when a RoleBinding to that role is made).
     */
    public void assertAllowsExactly(java.util.Collection<Request> requests) {
        org.assertj.core.api.Assertions.assertThat(requests).as("requests").isNotEmpty().allSatisfy(r ->
                org.assertj.core.api.Assertions.assertThat(allows(r)).as(r + " is allowed").isTrue());
        org.assertj.core.api.Assertions.assertThat(grants).filteredOn(g -> !g.verb().equals("bind")).allSatisfy(g ->
                org.assertj.core.api.Assertions.assertThat(requests.stream().anyMatch(g::covers))
                        .as(g + " is used by a request").isTrue());
    }

    public boolean allows(Request request) {
        return grants.stream().anyMatch(g -> g.covers(request));
    }

    public List<Grant> grants() {
        return grants;
    }
}
