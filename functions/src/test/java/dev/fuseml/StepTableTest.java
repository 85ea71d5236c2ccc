package dev.fuseml;

import dev.fuseml.broker.DefaultChain;
import dev.fuseml.build.BuildFunction;
import dev.fuseml.receive.ReceiveFunction;
import dev.fuseml.eventing.Steps;
import dev.fuseml.register.RegisterFunction;
import dev.fuseml.serve.ServeFunction;
import dev.fuseml.train.TrainFunction;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each step function is bound to the types the one step table (eventing's {@code Steps}) gives its step: Funqy's
 * annotations take constants only, so they are checked here rather than derived.
 */
class StepTableTest {
    static Stream<Arguments> functions() {
        return Stream.of(ReceiveFunction.class, BuildFunction.class, TrainFunction.class, RegisterFunction.class,
                ServeFunction.class).map(c -> Arguments.of(Named.of(c.getSimpleName(), c)));
    }

    @ParameterizedTest(name = "{0} is bound as the step table says")
    @MethodSource("functions")
    void eachStepFunctionIsBoundToItsStepsTriggerAndEmitsItsResult(Class<?> function) throws Exception {
        String step = (String) function.getField("STEP").get(null);
        Steps.Step row = Steps.named(step).orElseThrow(() -> new AssertionError(step + " is not in the table"));
        Method bound = Arrays.stream(function.getMethods()).filter(m -> m.isAnnotationPresent(Funq.class)
                && m.getAnnotation(Funq.class).value().equals(step)).findFirst().orElseThrow();
        CloudEventMapping mapping = bound.getAnnotation(CloudEventMapping.class);
        assertThat(mapping.trigger()).isEqualTo(row.trigger());
        assertThat(mapping.responseType()).isEqualTo(row.emits());
        assertThat(mapping.responseSource()).isEqualTo("fuseml/" + step);
        assertThat(DefaultChain.STEPS).containsEntry(step, row.trigger());
    }
}
