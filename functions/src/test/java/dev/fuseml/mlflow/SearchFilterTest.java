package dev.fuseml.mlflow;

import dev.fuseml.mlflow.SearchFilter.Kind;
import dev.fuseml.mlflow.SearchFilter.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MLflow's search grammar (mlflow/utils/search_utils.py), kind by kind, against a fixed subject. */
class SearchFilterTest {
    private static final String RUN_ID = "5f2a9c0e1b7d4e3f8a6b2c1d0e9f8a7b";

    /** A run, experiment, model, version and logged model at once, so each row only says which kind it parses as. */
    private static final Fake SUBJECT = new Fake("subject",
            Map.of("rmse", 0.25, "accuracy", 0.9, "my metric", 3.0, "diverged", Double.NaN),
            Map.of("model", "cnn", "learning rate", "0.01", "layers", "3"),
            Map.of("mlflow.source.type", "LOCAL", "team name", "Core ML", "note", "it's", "path", "C:\\data\\train",
                    "city", "Zürich"),
            Map.ofEntries(entry("run_id", RUN_ID), entry("run_name", "bright-owl-42"), entry("status", "FINISHED"),
                    entry("user_id", "alice"), entry("artifact_uri", "s3://bucket/5f2a/artifacts"),
                    entry("start_time", 1_700_000_000_000L), entry("name", "Fraud Detector"),
                    entry("creation_time", 1_690_000_000_000L), entry("last_update_time", 1_695_000_000_000L),
                    entry("creation_timestamp", 1_690_000_000_000L),
                    entry("last_updated_timestamp", 1_695_000_000_000L), entry("version", "3"),
                    entry("source", "s3://bucket/5f2a/artifacts/model"), entry("model_id", "m-0a1b2c"),
                    entry("model_type", "sklearn"), entry("source_run_id", RUN_ID)));

    @ParameterizedTest(name = "{0}")
    @MethodSource("filtersAndWhetherTheyMatch")
    void eachFilterMatchesTheFixedSubjectAsMlflowWould(String description, Kind kind, String filter,
            boolean matches) {
        assertThat(SearchFilter.parse(kind, filter).test(SUBJECT)).as(filter).isEqualTo(matches);
    }

    static Stream<Arguments> filtersAndWhetherTheyMatch() {
        return Stream.of(
                // metrics: every numeric comparator, and the literals sqlparse reads as numbers
                matches("a metric below the bound matches", Kind.RUNS, "metrics.rmse < 0.5"),
                matches("a metric equal to an inclusive bound matches", Kind.RUNS, "metrics.rmse <= 0.25"),
                fails("a metric equal to an exclusive bound does not match", Kind.RUNS, "metrics.rmse > 0.25"),
                matches("greater-or-equal includes the value itself", Kind.RUNS, "metrics.rmse >= 0.25"),
                matches("a metric equals its value", Kind.RUNS, "metrics.rmse = 0.25"),
                fails("a metric is not unequal to its value", Kind.RUNS, "metrics.rmse != 0.25"),
                matches("a negative literal is a number", Kind.RUNS, "metrics.rmse > -1"),
                matches("an exponent literal is a number", Kind.RUNS, "metrics.rmse = 25E-2"),
                fails("a small exponent literal compares by value", Kind.RUNS, "metrics.rmse < 2.5e-1"),
                matches("an integer literal compares with a float metric", Kind.RUNS, "metrics.`my metric` = 3"),
                matches("the singular metric prefix is an alias", Kind.RUNS, "metric.accuracy >= 0.9"),
                matches("a double-quoted key may hold spaces", Kind.RUNS, "metrics.\"my metric\" > 2"),
                matches("a NaN metric is unequal to everything, as in Python", Kind.RUNS, "metrics.diverged != 0"),
                fails("a NaN metric is not below anything", Kind.RUNS, "metrics.diverged < 1e300"),
                fails("a clause on a metric never logged does not match", Kind.RUNS, "metrics.loss < 100"),
                fails("an unequal clause on a metric never logged does not match either", Kind.RUNS,
                        "metrics.loss != 100"),
                // params: = != LIKE ILIKE, quoting of keys and values
                matches("a param equals its single-quoted value", Kind.RUNS, "params.model = 'cnn'"),
                fails("a param is not unequal to its value", Kind.RUNS, "params.model != 'cnn'"),
                matches("a value may be double-quoted", Kind.RUNS, "params.model = \"cnn\""),
                fails("equality is case-sensitive", Kind.RUNS, "param.model = 'CNN'"),
                matches("LIKE with a trailing percent matches a prefix", Kind.RUNS, "parameters.model LIKE 'c%'"),
                matches("LIKE with a leading percent matches a suffix", Kind.RUNS, "params.model LIKE '%n'"),
                fails("LIKE is case-sensitive", Kind.RUNS, "params.model LIKE 'C%'"),
                matches("ILIKE ignores case", Kind.RUNS, "params.model ILIKE 'C%'"),
                matches("an underscore stands for exactly one character", Kind.RUNS, "params.model LIKE 'c_n'"),
                fails("an underscore does not stand for two characters", Kind.RUNS, "params.model LIKE 'c_'"),
                fails("a dot in a LIKE pattern is literal, as in SQL", Kind.RUNS, "params.model LIKE 'c.n'"),
                matches("a backticked key may hold spaces", Kind.RUNS, "params.`learning rate` = '0.01'"),
                matches("a double-quoted key works with LIKE", Kind.RUNS, "params.\"learning rate\" LIKE '0.0_'"),
                fails("a pattern without wildcards must match the whole value", Kind.RUNS,
                        "params.`learning rate` LIKE '0.0'"),
                matches("keywords are case-insensitive", Kind.RUNS, "params.model like 'c%'"),
                matches("ilike is case-insensitive too", Kind.RUNS, "params.model iLike 'CN_'"),
                // tags
                matches("an unquoted tag key may contain dots", Kind.RUNS, "tags.mlflow.source.type = 'LOCAL'"),
                matches("a backticked tag key may contain dots", Kind.RUNS, "tags.`mlflow.source.type` = 'LOCAL'"),
                matches("ILIKE finds a word anywhere", Kind.RUNS, "tag.`team name` ILIKE '%core%'"),
                matches("ILIKE folds non-ASCII case", Kind.RUNS, "tags.city ILIKE 'zÜRICH'"),
                matches("a double-quoted value may hold a single quote", Kind.RUNS, "tags.note = \"it's\""),
                matches("a doubled single quote stands for one", Kind.RUNS, "tags.note = 'it''s'"),
                matches("a backslash escapes a quote", Kind.RUNS, "tags.note = 'it\\'s'"),
                matches("a doubled backslash stands for one", Kind.RUNS, "tags.path = 'C:\\\\data\\\\train'"),
                matches("a lone backslash before a letter is kept", Kind.RUNS, "tags.path LIKE 'C:\\data%'"),
                fails("a clause on a tag never set does not match", Kind.RUNS, "tags.missing = 'x'"),
                fails("an unequal clause on a tag never set does not match either", Kind.RUNS,
                        "tags.missing != 'x'"),
                // run attributes, each prefix alias and bare names
                matches("a string attribute equals its value", Kind.RUNS, "attributes.run_name = 'bright-owl-42'"),
                matches("attr is an alias of attributes", Kind.RUNS, "attr.status = 'FINISHED'"),
                matches("run is an alias of attributes", Kind.RUNS, "run.user_id != 'bob'"),
                matches("attribute is an alias of attributes", Kind.RUNS, "attribute.artifact_uri LIKE 's3://%'"),
                matches("an attribute may be named bare", Kind.RUNS, "run_name LIKE 'bright%'"),
                matches("a bare attribute takes ILIKE", Kind.RUNS, "status ILIKE 'finished'"),
                matches("'Run name' is MLflow's alias of run_name", Kind.RUNS,
                        "attributes.`Run name` = 'bright-owl-42'"),
                matches("a timestamp equals its exact milliseconds", Kind.RUNS,
                        "attributes.start_time = 1700000000000"),
                matches("a timestamp is after an earlier one", Kind.RUNS, "attributes.start_time > 1699999999999"),
                fails("a timestamp is not before itself", Kind.RUNS, "attributes.start_time < 1700000000000"),
                matches("a timestamp is at most itself", Kind.RUNS, "start_time <= 1700000000000"),
                matches("a timestamp is at least an earlier one", Kind.RUNS, "start_time >= 1"),
                matches("a timestamp is unequal to another", Kind.RUNS, "start_time != 1"),
                matches("'created' is MLflow's alias of start_time", Kind.RUNS, "attributes.created >= 1700000000000"),
                fails("a clause on an end time not yet set does not match", Kind.RUNS, "attributes.end_time > 0"),
                matches("run_id IN a list holding it matches", Kind.RUNS,
                        "attributes.run_id IN ('" + RUN_ID + "', '0000')"),
                matches("a one-element list may end with a comma", Kind.RUNS, "run_id IN ('" + RUN_ID + "',)"),
                fails("run_id IN a list without it does not match", Kind.RUNS, "run_id IN ('a')"),
                matches("run_id NOT IN a list without it matches", Kind.RUNS, "run_id NOT IN ('a', \"b\")"),
                fails("run_id NOT IN a list holding it does not match", Kind.RUNS,
                        "run_id not  in ('" + RUN_ID + "')"),
                // AND chains
                matches("clauses joined with AND all hold", Kind.RUNS, "metrics.rmse < 0.5 AND params.model = 'cnn'"),
                fails("one false clause sinks an AND chain", Kind.RUNS,
                        "metrics.rmse < 0.5 and params.model = 'rnn'"),
                matches("AND is case-insensitive and spacing is free", Kind.RUNS,
                        "  metrics.rmse<0.5   And\tparams.model='cnn' AND tags.note = \"it's\"  "),
                matches("a blank filter matches everything", Kind.RUNS, "   "),
                matches("an empty filter matches everything", Kind.RUNS, ""),
                matches("no filter matches everything", Kind.RUNS, null),
                // experiments
                matches("an experiment name equals its value", Kind.EXPERIMENTS, "name = 'Fraud Detector'"),
                matches("an experiment name takes LIKE", Kind.EXPERIMENTS, "attribute.name LIKE 'Fraud%'"),
                matches("an experiment name takes ILIKE", Kind.EXPERIMENTS, "name ILIKE '%detector'"),
                matches("an experiment name takes !=", Kind.EXPERIMENTS, "attributes.name != 'x'"),
                matches("an experiment creation time is numeric", Kind.EXPERIMENTS,
                        "creation_time > 1600000000000"),
                fails("an experiment update time is not before itself", Kind.EXPERIMENTS,
                        "attribute.last_update_time < 1695000000000"),
                matches("an experiment tag equals its value", Kind.EXPERIMENTS, "tags.`team name` = 'Core ML'"),
                matches("an experiment tag takes LIKE", Kind.EXPERIMENTS, "tag.note LIKE 'it%'"),
                // registered models
                matches("a model name equals its value", Kind.REGISTERED_MODELS, "name = 'Fraud Detector'"),
                matches("a model name takes LIKE", Kind.REGISTERED_MODELS, "name LIKE '%Detector'"),
                matches("a model name takes ILIKE", Kind.REGISTERED_MODELS, "name ILIKE 'fraud%'"),
                fails("a model name is not unequal to itself", Kind.REGISTERED_MODELS, "name != 'Fraud Detector'"),
                matches("a model tag equals its value", Kind.REGISTERED_MODELS, "tags.`team name` = 'Core ML'"),
                matches("a model without the prompt tag is not a prompt", Kind.REGISTERED_MODELS,
                        "tags.`mlflow.prompt.is_prompt` != 'true'"),
                matches("a missing prompt tag reads as 'false'", Kind.REGISTERED_MODELS,
                        "tags.`mlflow.prompt.is_prompt` = 'false'"),
                fails("a model without the prompt tag is not found as a prompt", Kind.REGISTERED_MODELS,
                        "tags.`mlflow.prompt.is_prompt` = 'true'"),
                // model versions
                matches("a version number compares with a version given as a string", Kind.MODEL_VERSIONS,
                        "name = 'Fraud Detector' AND version_number = 3"),
                matches("a version number takes >", Kind.MODEL_VERSIONS, "version_number > 2"),
                matches("a version number may be quoted, as MLflow allows", Kind.MODEL_VERSIONS,
                        "version_number = '3'"),
                matches("a version's run id equals its value", Kind.MODEL_VERSIONS, "run_id = '" + RUN_ID + "'"),
                matches("a version's run id takes IN", Kind.MODEL_VERSIONS, "run_id IN ('" + RUN_ID + "')"),
                matches("a version's source path takes LIKE", Kind.MODEL_VERSIONS, "source_path LIKE 's3://%'"),
                matches("a version without the prompt tag is not a prompt", Kind.MODEL_VERSIONS,
                        "tags.`mlflow.prompt.is_prompt` != 'true'"),
                // logged models
                matches("a logged model's name equals its value", Kind.LOGGED_MODELS, "name = 'Fraud Detector'"),
                matches("a logged model's id equals its value", Kind.LOGGED_MODELS, "model_id = 'm-0a1b2c'"),
                matches("a logged model's source run equals its value", Kind.LOGGED_MODELS,
                        "source_run_id = '" + RUN_ID + "'"),
                fails("a logged model's status is compared exactly", Kind.LOGGED_MODELS, "status = 'READY'"),
                matches("a logged model's creation timestamp is numeric", Kind.LOGGED_MODELS,
                        "creation_timestamp > 0"),
                matches("creation_time is an alias of creation_timestamp", Kind.LOGGED_MODELS,
                        "attributes.creation_time > 0"),
                matches("a logged model's metric takes >=", Kind.LOGGED_MODELS, "metrics.accuracy >= 0.9"),
                matches("a logged model's param takes =", Kind.LOGGED_MODELS, "params.model = 'cnn'"),
                matches("a logged model's tag takes =", Kind.LOGGED_MODELS, "tags.note = \"it's\""),
                matches("any logged model string attribute takes IN", Kind.LOGGED_MODELS,
                        "model_type IN ('sklearn', 'pytorch')"),
                matches("any logged model string attribute takes NOT IN", Kind.LOGGED_MODELS,
                        "model_id NOT IN ('m-ffff')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFilters")
    void malformedFiltersAreRefusedWithAMessageNamingTheProblem(String description, Kind kind, String filter,
            String fragment) {
        assertThatThrownBy(() -> SearchFilter.parse(kind, filter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(fragment);
    }

    static Stream<Arguments> malformedFilters() {
        String tooLong = "params.p = '" + "x".repeat(SearchFilter.MAX_LENGTH) + "'";
        String tooMany = IntStream.rangeClosed(0, SearchFilter.MAX_CLAUSES).mapToObj(i -> "metrics.m" + i + " > 0")
                .collect(Collectors.joining(" AND "));
        return Stream.of(
                refused("an unknown identifier type", Kind.RUNS, "foo.bar = 'x'", "Invalid entity type 'foo'"),
                refused("a metric named without its prefix", Kind.RUNS, "rmse < 1", "Invalid attribute key 'rmse'"),
                refused("an attribute MLflow does not search", Kind.RUNS, "attributes.lifecycle_stage = 'active'",
                        "Invalid attribute key 'lifecycle_stage'"),
                refused("LIKE on a metric", Kind.RUNS, "metrics.x LIKE '1'", "Invalid comparator 'LIKE'"),
                refused("an order comparison on a param", Kind.RUNS, "params.p > '1'", "Invalid comparator '>'"),
                refused("IN on a tag", Kind.RUNS, "tags.t IN ('a')", "Invalid comparator 'IN'"),
                refused("LIKE on a timestamp", Kind.RUNS, "attributes.start_time LIKE '1%'",
                        "Invalid comparator 'LIKE'"),
                refused("SQL's <> for unequal", Kind.RUNS, "metrics.a <> 1", "Invalid comparator '<>'"),
                refused("NOT LIKE", Kind.RUNS, "params.p NOT LIKE 'a'", "Invalid comparator 'NOT LIKE'"),
                refused("a string compared with a metric", Kind.RUNS, "metrics.x > 'abc'",
                        "Expected numeric value type"),
                refused("a string compared with a timestamp", Kind.RUNS, "start_time > 'yesterday'",
                        "Expected numeric value type"),
                refused("an unquoted param value", Kind.RUNS, "params.p = cnn", "Expected a quoted string value"),
                refused("a number compared with a tag", Kind.RUNS, "tags.t = 1", "Expected a quoted string value"),
                refused("an unterminated string", Kind.RUNS, "params.p = 'cnn", "Unterminated string"),
                refused("a string ending in an escaped quote", Kind.RUNS, "params.p = 'cnn\\'", "Unterminated"),
                refused("an unterminated backticked key", Kind.RUNS, "params.`p = 'x'",
                        "Unterminated backtick-quoted identifier"),
                refused("clauses joined with OR", Kind.RUNS, "metrics.a > 1 OR metrics.b > 1",
                        "can only be joined with AND"),
                refused("clauses with nothing between them", Kind.RUNS, "metrics.a > 1 metrics.b > 1", "Unexpected"),
                refused("a dangling AND", Kind.RUNS, "metrics.a > 1 AND ", "expected another clause after AND"),
                refused("a trailing parenthesis", Kind.RUNS, "metrics.a > 1)", "Unexpected ')'"),
                refused("a second statement", Kind.RUNS, "metrics.a > 1; DROP TABLE runs", "Unexpected ';"),
                refused("a parenthesised clause", Kind.RUNS, "(metrics.a > 1)", "parentheses are not supported"),
                refused("a number glued to a word", Kind.RUNS, "metrics.a > 1abc", "Invalid number '1abc'"),
                refused("a key with an unquoted dash", Kind.RUNS, "metrics.my-metric > 1",
                        "quote keys that contain special characters with backticks"),
                refused("an identifier with no comparator", Kind.RUNS, "metrics.a", "Expected a comparator"),
                refused("a comparator with no value", Kind.RUNS, "metrics.a >", "Expected a value"),
                refused("a prefix with no key", Kind.RUNS, "metrics. > 1", "Expected a key after 'metrics.'"),
                refused("a list on an attribute other than run_id", Kind.RUNS, "run_name IN ('a')",
                        "support comparison with a list"),
                refused("an empty list", Kind.RUNS, "run_id IN ()", "non-empty list"),
                refused("a number in a list", Kind.RUNS, "run_id IN ('a', 1)", "expected a quoted string value"),
                refused("an unterminated list", Kind.RUNS, "run_id IN ('a', 'b'", "Unterminated list"),
                refused("IN without a list", Kind.RUNS, "run_id IN 'a'", "expects a parenthesised list"),
                refused("a list without IN", Kind.RUNS, "run_id = ('a')", "needs IN or NOT IN"),
                refused("a dataset clause", Kind.RUNS, "datasets.name = 'iris'", "not supported by this server"),
                refused("a metric on an experiment", Kind.EXPERIMENTS, "metrics.x > 1", "Invalid entity type 'metrics'"),
                refused("an experiment id filter", Kind.EXPERIMENTS, "experiment_id = '1'",
                        "Invalid attribute key 'experiment_id'"),
                refused("a list on an experiment name", Kind.EXPERIMENTS, "name IN ('a')",
                        "Comparison with a list of values"),
                refused("a param on a registered model", Kind.REGISTERED_MODELS, "params.x = 'y'",
                        "Invalid entity type 'params'"),
                refused("a version number on a registered model", Kind.REGISTERED_MODELS, "version_number = 1",
                        "Invalid attribute key 'version_number'"),
                refused("NOT IN on a model version", Kind.MODEL_VERSIONS, "run_id NOT IN ('a')",
                        "Invalid comparator 'NOT IN'"),
                refused("LIKE on a version number", Kind.MODEL_VERSIONS, "version_number LIKE '1'",
                        "Invalid comparator 'LIKE'"),
                refused("a quoted word as a version number", Kind.MODEL_VERSIONS, "version_number = 'three'",
                        "Expected numeric value type"),
                refused("a word as a logged model timestamp", Kind.LOGGED_MODELS, "creation_timestamp = 'yesterday'",
                        "Expected numeric value type"),
                refused("an unknown logged model attribute", Kind.LOGGED_MODELS, "foo = 'x'",
                        "Invalid attribute key 'foo'"),
                refused("a filter over the length limit", Kind.RUNS, tooLong, "the limit is 10000 characters"),
                refused("a filter over the clause limit", Kind.RUNS, tooMany, "the limit is 100 clauses"));
    }

    @Test
    void aClauseOnAMetricTheRunNeverLoggedDoesNotMatch() {
        SearchFilter filter = SearchFilter.parse(Kind.RUNS, "metrics.loss < 100");
        Fake logged = new Fake("logged", Map.of("loss", 1.0), Map.of(), Map.of(), Map.of());

        assertThat(filter.test(SUBJECT)).isFalse();
        assertThat(filter.test(logged)).isTrue();
    }

    @Test
    void aBlankOrNullFilterMatchesASubjectWithNothing() {
        Fake empty = new Fake("empty", Map.of(), Map.of(), Map.of(), Map.of());

        assertThat(SearchFilter.parse(Kind.RUNS, null).test(empty)).isTrue();
        assertThat(SearchFilter.parse(Kind.LOGGED_MODELS, " \t\n").test(empty)).isTrue();
    }

    @Test
    void exactlyTheClauseLimitIsAccepted() {
        String hundred = Collections.nCopies(SearchFilter.MAX_CLAUSES, "metrics.rmse < 1").stream()
                .collect(Collectors.joining(" AND "));

        assertThat(SearchFilter.parse(Kind.RUNS, hundred).test(SUBJECT)).isTrue();
    }

    @Test
    void aFilterOfExactlyTheLengthLimitIsAccepted() {
        String head = "params.model = '";
        String filter = head + "x".repeat(SearchFilter.MAX_LENGTH - head.length() - 1) + "'";

        assertThat(filter).hasSize(SearchFilter.MAX_LENGTH);
        assertThat(SearchFilter.parse(Kind.RUNS, filter).test(SUBJECT)).isFalse();
    }

    // A regex translation of LIKE backtracks on runs of % against long near-misses; the matcher must not.
    @Test
    @Timeout(5)
    void aPathologicalLikePatternIsMatchedQuickly() {
        Fake nearMiss = new Fake("near miss", Map.of(), Map.of("p", "a".repeat(9_000)), Map.of(), Map.of());
        SearchFilter filter = SearchFilter.parse(Kind.RUNS, "params.p LIKE '" + "%a".repeat(40) + "%b'");

        assertThat(filter.test(nearMiss)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalNames")
    void attributeNamesReachTheSubjectInCanonicalForm(String description, Kind kind, String filter,
            String canonical) {
        List<String> asked = new ArrayList<>();
        Subject recorder = new Fake("recorder", Map.of(), Map.of(), Map.of(), Map.of()).recording(asked);

        SearchFilter.parse(kind, filter).test(recorder);

        assertThat(asked).containsExactly(canonical);
    }

    static Stream<Arguments> canonicalNames() {
        return Stream.of(
                Arguments.of("attr.created asks for start_time", Kind.RUNS, "attr.created > 0", "start_time"),
                Arguments.of("`Run Name` asks for run_name", Kind.RUNS, "`Run Name` = 'x'", "run_name"),
                Arguments.of("run.run_id asks for run_id", Kind.RUNS, "run.run_id = 'x'", "run_id"),
                Arguments.of("version_number asks for the version field", Kind.MODEL_VERSIONS, "version_number = 1",
                        "version"),
                Arguments.of("source_path asks for the source field", Kind.MODEL_VERSIONS, "source_path = 'x'",
                        "source"),
                Arguments.of("creation_time asks for creation_timestamp", Kind.LOGGED_MODELS, "creation_time > 0",
                        "creation_timestamp"));
    }

    // ---- order_by ----

    private static final Fake A = new Fake("a", Map.of("rmse", 0.3), Map.of("model", "cnn"), Map.of(),
            Map.of("start_time", 300L, "version", "9", "creation_timestamp", 3000L, "name", "beta",
                    "experiment_id", "12"));
    private static final Fake B = new Fake("b", Map.of("rmse", 0.1), Map.of("model", "rnn"), Map.of(),
            Map.of("start_time", 100L, "version", "10", "creation_timestamp", 1000L, "name", "Alpha",
                    "experiment_id", "3"));
    private static final Fake C = new Fake("c", Map.of(), Map.of("model", "cnn"), Map.of(),
            Map.of("start_time", 200L, "version", "2", "creation_timestamp", 2000L, "name", "alpha",
                    "experiment_id", "100"));
    private static final Fake D = new Fake("d", Map.of("rmse", Double.NaN), Map.of(), Map.of(),
            Map.of("start_time", 400L, "name", "gamma", "experiment_id", "7"));

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderings")
    void orderByListsSortSubjectsWithMissingValuesLast(String description, Kind kind, List<String> orderBy,
            String expected) {
        List<Fake> subjects = new ArrayList<>(List.of(C, A, D, B));

        subjects.sort(SearchFilter.orderBy(kind, orderBy));

        assertThat(subjects.stream().map(Fake::label).collect(Collectors.joining())).isEqualTo(expected);
    }

    static Stream<Arguments> orderings() {
        return Stream.of(
                Arguments.of("a metric ascending puts NaN then missing last", Kind.RUNS, List.of("metrics.rmse"),
                        "badc"),
                Arguments.of("a metric descending still puts NaN then missing last", Kind.RUNS,
                        List.of("metrics.rmse DESC"), "abdc"),
                Arguments.of("a quoted key and a lowercase direction work", Kind.RUNS,
                        List.of("metrics.`rmse` desc"), "abdc"),
                Arguments.of("a timestamp attribute ascending", Kind.RUNS, List.of("attributes.start_time"),
                        "bcad"),
                Arguments.of("a bare timestamp descending", Kind.RUNS, List.of("start_time DESC"), "dacb"),
                Arguments.of("'created' orders by start_time", Kind.RUNS, List.of("attr.created ASC"), "bcad"),
                Arguments.of("a param ascending keeps ties in the caller's order", Kind.RUNS,
                        List.of("params.model"), "cabd"),
                Arguments.of("a param descending keeps missing values last", Kind.RUNS,
                        List.of("params.model DESC"), "bcad"),
                Arguments.of("a second key breaks the first key's ties", Kind.RUNS,
                        List.of("params.model", "metrics.rmse DESC"), "acbd"),
                Arguments.of("an empty list keeps the caller's order", Kind.RUNS, List.of(), "cadb"),
                Arguments.of("no list keeps the caller's order", Kind.RUNS, null, "cadb"),
                Arguments.of("names order by code point, capitals first", Kind.EXPERIMENTS, List.of("name"),
                        "bcad"),
                Arguments.of("experiment ids given as strings order as numbers", Kind.EXPERIMENTS,
                        List.of("experiment_id"), "bdac"),
                Arguments.of("'timestamp' orders registered models by creation", Kind.REGISTERED_MODELS,
                        List.of("timestamp DESC"), "acbd"),
                Arguments.of("versions given as strings order as numbers", Kind.MODEL_VERSIONS,
                        List.of("version_number DESC"), "bacd"),
                Arguments.of("a logged model's metric descending", Kind.LOGGED_MODELS, List.of("metrics.rmse DESC"),
                        "abdc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOrderings")
    void badOrderByClausesAreRefusedWithAMessageNamingTheProblem(String description, Kind kind,
            List<String> orderBy, String fragment) {
        assertThatThrownBy(() -> SearchFilter.orderBy(kind, orderBy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(fragment);
    }

    static Stream<Arguments> badOrderings() {
        return Stream.of(
                Arguments.of("a direction other than ASC or DESC", Kind.RUNS, List.of("metrics.rmse SIDEWAYS"),
                        "Invalid ordering key"),
                Arguments.of("an unknown identifier type", Kind.RUNS, List.of("foo.rmse"),
                        "Invalid entity type 'foo'"),
                Arguments.of("an unknown attribute", Kind.RUNS, List.of("attributes.nope"),
                        "Invalid order_by key 'nope'"),
                Arguments.of("words after the direction", Kind.RUNS, List.of("metrics.rmse DESC extra"),
                        "Could not be parsed"),
                Arguments.of("a blank clause", Kind.RUNS, List.of(" "), "Could not be parsed"),
                Arguments.of("a dataset key", Kind.RUNS, List.of("datasets.name"), "Invalid order_by entity"),
                Arguments.of("a tag on experiments", Kind.EXPERIMENTS, List.of("tags.team"),
                        "Invalid order_by entity 'tag'"),
                Arguments.of("a version number on registered models", Kind.REGISTERED_MODELS,
                        List.of("version_number"), "Invalid order_by key 'version_number'"),
                Arguments.of("a param on logged models", Kind.LOGGED_MODELS, List.of("params.model"),
                        "Invalid entity type 'params'"),
                Arguments.of("more clauses than the limit", Kind.RUNS,
                        Collections.nCopies(SearchFilter.MAX_CLAUSES + 1, "metrics.rmse"), "the limit is 100"));
    }

    @Test
    void equalValuesAreLeftForTheCallerToBreak() {
        assertThat(SearchFilter.orderBy(Kind.RUNS, List.of("params.model DESC")).compare(A, C)).isZero();
    }

    // ---- fixtures ----

    private static Arguments matches(String description, Kind kind, String filter) {
        return Arguments.of(description, kind, filter, true);
    }

    private static Arguments fails(String description, Kind kind, String filter) {
        return Arguments.of(description, kind, filter, false);
    }

    private static Arguments refused(String description, Kind kind, String filter, String fragment) {
        return Arguments.of(description, kind, filter, fragment);
    }

    private record Fake(String label, Map<String, Double> metrics, Map<String, String> params,
            Map<String, String> tags, Map<String, Object> attributes) implements Subject {
        @Override
        public Optional<Double> metric(String key) {
            return Optional.ofNullable(metrics.get(key));
        }

        @Override
        public Optional<String> param(String key) {
            return Optional.ofNullable(params.get(key));
        }

        @Override
        public Optional<String> tag(String key) {
            return Optional.ofNullable(tags.get(key));
        }

        @Override
        public Optional<Object> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }

        Subject recording(List<String> asked) {
            return new Subject() {
                @Override
                public Optional<Double> metric(String key) {
                    return Fake.this.metric(key);
                }

                @Override
                public Optional<String> param(String key) {
                    return Fake.this.param(key);
                }

                @Override
                public Optional<String> tag(String key) {
                    return Fake.this.tag(key);
                }

                @Override
                public Optional<Object> attribute(String name) {
                    asked.add(name);
                    return Fake.this.attribute(name);
                }
            };
        }
    }
}
