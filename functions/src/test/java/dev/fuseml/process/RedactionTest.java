package dev.fuseml.process;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole userinfo of a URL is masked, whatever it holds; nothing after the authority is touched. */
class RedactionTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a password with an @    | https://charlie:p@rlie@host/simple      | https://***@host/simple",
            "a password with two @   | https://u:a@b@c@host:8080/x             | https://***@host:8080/x",
            "a token only            | git+https://ghp_token@github.com/x.git  | git+https://***@github.com/x.git",
            "an @ in the path stays  | https://host/users/@me and a@b.example  | https://host/users/@me and a@b.example",
            "no authority end        | see https://u:p@host                    | see https://***@host",
            "two URLs on a line      | https://a:b@h1/ https://c:d@e@h2/       | https://***@h1/ https://***@h2/"})
    void theWholeUserinfoIsMasked(String name, String text, String masked) {
        assertThat(Redaction.mask(text)).isEqualTo(masked);
    }
}
