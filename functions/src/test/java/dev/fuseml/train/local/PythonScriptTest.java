package dev.fuseml.train.local;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which entry point commands run in FuseML's interpreter script, and which under bash as written. */
class PythonScriptTest {
    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("MLproject's usual command", "python train.py 0.5 0.1",
                        List.of("train.py", "0.5", "0.1")),
                Arguments.of("python3 and a script in a directory", "python3 src/train.py --alpha=0.5",
                        List.of("src/train.py", "--alpha=0.5")),
                Arguments.of("a quoted parameter value", "python train.py 'a b' ''",
                        List.of("train.py", "a b", "")),
                Arguments.of("no arguments", "python   train.py", List.of("train.py")),
                Arguments.of("a pipeline", "python train.py | tee log", null),
                Arguments.of("two commands", "python train.py && echo done", null),
                Arguments.of("a variable", "python train.py $HOME", null),
                Arguments.of("a module", "python -m trainer", null),
                Arguments.of("interpreter options", "python -u train.py", null),
                Arguments.of("another program", "bash run.sh", null),
                Arguments.of("not a .py file", "python train", null),
                Arguments.of("a script outside the code", "python ../other/train.py", null),
                Arguments.of("an absolute script", "python /etc/train.py", null),
                Arguments.of("words run together", "python train.py 'a'b", null),
                Arguments.of("a quote inside a value", "python train.py 'it'\"'\"'s'", null),
                Arguments.of("only python", "python", null),
                Arguments.of("nothing", "", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void readsOnlyAPlainPythonScriptCommand(String name, String command, List<String> argv) {
        assertThat(PythonScript.argv(command).orElse(null)).isEqualTo(argv);
    }
}
