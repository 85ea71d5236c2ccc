package dev.fuseml.codeset;

import dev.fuseml.codeset.git.JGitCodesetSource;
import dev.fuseml.codeset.local.GitCodesetStore;
import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A project's symbolic links travel as links (the CLI lists them beside the files), are committed as git records
 * links, and come back out of a checkout, as long as they stay inside the project; any other is refused on upload
 * and left out of a checkout.
 */
class CodesetLinksTest {
    @TempDir
    Path dir;

    private static byte[] zip(String links) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("data/wine.csv"));
            zip.write("a,b\n".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("train.py"));
            zip.write("print(1)".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(CodesetArchives.LINKS));
            zip.write(links.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void linksInsideTheProjectAreUnpackedCommittedAndCheckedOutAsLinks() throws Exception {
        Path upload = dir.resolve("upload");
        CodesetArchives.extract(new ByteArrayInputStream(zip("{\"latest.csv\": \"data/wine.csv\", "
                + "\"sub/d\": \"../data\"}")), upload);
        assertThat(Files.readSymbolicLink(upload.resolve("latest.csv"))).isEqualTo(Path.of("data/wine.csv"));
        assertThat(upload.resolve(CodesetArchives.LINKS)).doesNotExist();

        GitCodesetStore store = new GitCodesetStore(new TestConfig(dir.resolve("data")));
        store.commit("red", "app", upload, "push");
        Path out = dir.resolve("out");
        new JGitCodesetSource(dir.resolve("cache"), () -> "http://localhost:1", null)
                .checkout(store.repository("red", "app").toUri().toString(), "refs/heads/main", out);

        assertThat(Files.isSymbolicLink(out.resolve("latest.csv"))).isTrue();
        assertThat(out.resolve("latest.csv")).hasContent("a,b");
        assertThat(Files.readSymbolicLink(out.resolve("sub/d"))).isEqualTo(Path.of("../data"));
        assertThat(out.resolve("sub/d/wine.csv")).hasContent("a,b");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"an absolute link, /etc/passwd", "a relative link out, ../../etc/passwd",
            "a link to the project itself, .", "an empty target, ''"})
    void aLinkLeavingTheProjectIsRefusedOnUpload(String name, String target) {
        assertThatThrownBy(() -> CodesetArchives.extract(new ByteArrayInputStream(zip("{\"passwd\": \"" + target
                + "\"}")), dir.resolve("upload"))).isInstanceOf(CodesetArchives.InvalidArchiveException.class)
                .hasMessageContaining("the link 'passwd' points to '" + target + "', outside the project");
    }

    @Test
    void aLinksListThatIsNotAJsonObjectIsRefusedAndMakesNoLink() {
        Path upload = dir.resolve("upload");
        assertThatThrownBy(() -> CodesetArchives.extract(new ByteArrayInputStream(zip("[\"latest.csv\"]")), upload))
                .isInstanceOf(CodesetArchives.InvalidArchiveException.class)
                .hasMessageContaining("not a JSON object of paths to link targets");
        assertThat(upload.resolve("latest.csv")).doesNotExist();
    }

    @Test
    void aLinkOverAFileOfTheArchiveIsRefused() {
        assertThatThrownBy(() -> CodesetArchives.extract(new ByteArrayInputStream(zip("{\"train.py\": "
                + "\"data/wine.csv\"}")), dir.resolve("upload"))).hasMessageContaining("both a file and a link");
    }

    @Test
    void aCommitWhoseLinkLeavesTheCheckoutIsCheckedOutWithoutIt() throws Exception {
        // a git push can carry any link; the checkout a step makes leaves such a link out
        Path source = Files.createDirectories(dir.resolve("pushed"));
        Files.writeString(source.resolve("train.py"), "print(1)");
        Files.createSymbolicLink(source.resolve("passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(source.resolve("up"), Path.of("../../.."));
        GitCodesetStore store = new GitCodesetStore(new TestConfig(dir.resolve("data")));
        store.commit("red", "app", source, "push");
        Path out = dir.resolve("out");
        new JGitCodesetSource(dir.resolve("cache"), () -> "http://localhost:1", null)
                .checkout(store.repository("red", "app").toUri().toString(), "refs/heads/main", out);

        assertThat(out.resolve("train.py")).hasContent("print(1)");
        assertThat(Files.exists(out.resolve("passwd"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(out.resolve("up"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
