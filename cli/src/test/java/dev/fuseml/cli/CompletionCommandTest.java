package dev.fuseml.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The completion script, sourced by a real bash, completes subcommands and options as a user types them. */
class CompletionCommandTest {
    @TempDir
    Path dir;

    private String script(String shell) {
        CommandLine cli = Fuseml.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("completion", shell)).isZero();
        return out.toString();
    }

    /** What bash offers for the words typed so far (the last one being completed), through the sourced script. */
    private List<String> complete(String typed) throws Exception {
        Path script = Files.writeString(dir.resolve("fuseml.bash"), script("bash"));
        String[] words = typed.split(" ", -1);
        String driver = "source " + script + "\n"
                + "COMP_WORDS=(" + String.join(" ", Arrays.stream(words).map(w -> "'" + w + "'").toList()) + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\nCOMP_LINE='" + typed + "'\nCOMP_POINT=" + typed.length()
                // what bash runs on TAB: the function the script registered for the command
                + "\nfn=$(complete -p fuseml | sed -E 's/.*-F ([^ ]+).*/\\1/')\n"
                // compopt only changes how bash shows candidates, and needs a live TAB to run
                + "compopt() { :; }\n$fn\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process bash = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", driver).redirectErrorStream(true)
                .start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    @ParameterizedTest(name = "''{0}'' offers {1}")
    @CsvSource(delimiter = '|', value = {
            "fuseml pu|push",
            "fuseml comp|completion",
            "fuseml push --no|--no-follow",
            "'fuseml webhooks '|add",
            "'fuseml completion '|bash",
    })
    void bashCompletesSubcommandsOptionsAndValues(String typed, String offered) throws Exception {
        assertThat(complete(typed)).contains(offered);
    }

    @Test
    void aWordThatStartsNothingOffersNothing() throws Exception {
        assertThat(complete("fuseml zzz")).isEmpty();
    }

    @Test
    void zshGetsTheSameScriptThroughItsBashCompletionLayer() {
        String zsh = script("zsh");
        assertThat(zsh).contains("bashcompinit").endsWith(script("bash"));
    }

    @Test
    void anUnknownShellIsRefusedNamingTheChoices() {
        CommandLine cli = Fuseml.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("completion", "fish")).isEqualTo(2);
        assertThat(err.toString()).contains("bash", "zsh");
    }
}
