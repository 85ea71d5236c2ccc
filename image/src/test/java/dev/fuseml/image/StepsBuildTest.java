package dev.fuseml.image;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The step functions' build (functions/steps) is the functions' code built again without what only the control plane
 * serves. Its pom lists its dependencies itself (Maven inherits dependencies only from a parent): kept here to the
 * functions' own, less the control plane's extensions, so that a library added to the functions reaches the steps.
 */
class StepsBuildTest {
    /** What the steps leave out: the REST API and its document, git over HTTP, the knative manifest's generator. */
    private static final Set<String> CONTROL_PLANE_ONLY = Set.of("io.quarkus:quarkus-rest-jackson",
            "io.quarkus:quarkus-smallrye-openapi", "io.quarkus:quarkus-undertow",
            "org.eclipse.jgit:org.eclipse.jgit.http.server", "io.quarkus:quarkus-kubernetes");
    /** What quarkus-rest-jackson brought the functions and Funqy needs in the steps: Quarkus' ObjectMapper. */
    private static final Set<String> STEPS_ONLY = Set.of("io.quarkus:quarkus-jackson");

    @Test
    void theStepsBuildHasTheFunctionsDependenciesLessTheControlPlanesOwn() throws Exception {
        Set<String> functions = runtimeDependencies(Path.of("..", "functions", "pom.xml"));
        Set<String> steps = runtimeDependencies(Path.of("..", "functions", "steps", "pom.xml"));
        assertThat(functions).containsAll(CONTROL_PLANE_ONLY);
        Set<String> expected = new TreeSet<>(functions);
        expected.removeAll(CONTROL_PLANE_ONLY);
        expected.addAll(STEPS_ONLY);
        assertThat(steps).as("functions/steps/pom.xml: the functions' dependencies (functions/pom.xml), less "
                + CONTROL_PLANE_ONLY).isEqualTo(expected);
    }

    /** groupId:artifactId of each dependency not in the test scope (exclusions' coordinates left out). */
    private static Set<String> runtimeDependencies(Path pom) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getDocumentElement();
        Set<String> out = new TreeSet<>();
        NodeList dependencies = project.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            if (!dependency.getParentNode().getNodeName().equals("dependencies")
                    || !dependency.getParentNode().getParentNode().getNodeName().equals("project")
                    || "test".equals(text(dependency, "scope"))) {
                continue;
            }
            out.add(text(dependency, "groupId") + ":" + text(dependency, "artifactId"));
        }
        return out;
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && element.getTagName().equals(child)) {
                return element.getTextContent().trim();
            }
        }
        return null;
    }
}
