package dev.fuseml.eventing.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@link FilterBenchmark} with JMH (profile bench) and prints ns per event for 100 triggers. */
class FilterEvaluationBench {
    @Test
    void filterEvaluationCost() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder().include(FilterBenchmark.class.getName())
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                .measurementTime(TimeValue.seconds(1)).build()).run();
        System.out.println("== trigger filter evaluation, one event against 100 triggers (JMH, avg ns/event) ==");
        for (RunResult r : results) {
            System.out.printf("%-40s %10.0f ns/event  (+- %.0f)%n", r.getParams().getBenchmark()
                    .replaceAll(".*\\\\.", ""), r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError());
        }
        assertThat(results).hasSize(2);
    }
}
