package dev.fuseml.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDK the image's runtime is jlinked from: a named one that is not a JDK 25 is refused with the fix. */
class JavaRuntimesTest {
    @TempDir
    Path dir;

    @AfterEach
    void unset() {
        System.clearProperty("fuseml.image.jdk");
    }

    @Test
    void aNamedDirectoryThatIsNoJdk25IsRefusedNamingWhatToPointAt() throws Exception {
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        System.setProperty("fuseml.image.jdk", dir.toString());
        assertThatThrownBy(() -> JavaRuntimes.find(25)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FUSEML_IMAGE_JDK=" + dir).hasMessageContaining("no JDK 25 or newer with jlink");
        System.setProperty("fuseml.image.jdk", dir.resolve("missing").toString());
        assertThatThrownBy(() -> JavaRuntimes.find(25)).hasMessageContaining("point it at one");
    }

    @Test
    void theReleaseFileNamesTheFeatureRelease() throws Exception {
        Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.3\"\n");
        assertThat(JavaRuntimes.feature(dir)).contains(25);
        assertThat(JavaRuntimes.feature(dir.resolve("none"))).isEmpty();
    }
}
