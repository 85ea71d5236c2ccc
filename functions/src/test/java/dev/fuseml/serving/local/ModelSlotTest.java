package dev.fuseml.serving.local;

import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Batch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ModelSlotTest {
    private static final MLModel MODEL = new MLModel(List.of("sklearn"), "model.pkl", "pickle",
            List.of(new MLModel.Column("a", "double"), new MLModel.Column("b", "double")));
    private static final Batch ROW = new Batch(List.of("a", "b"), List.of(List.<Object>of(1.0, 2.0)));

    @Test
    void nothingIsPredictedBeforeAVersionHasLoaded() {
        ModelSlot slot = new ModelSlot("wine");
        assertThat(slot.loaded()).isFalse();
        assertThat(slot.version()).isNull();
        assertThatThrownBy(() -> slot.predict(ROW)).isInstanceOfSatisfying(HttpError.class, e -> {
            assertThat(e.status).isEqualTo(503);
            assertThat(e).hasMessageContaining("model 'wine' is not loaded yet");
        });
    }

    @Test
    void aSwitchServesTheNewVersionAndClosesTheOldOne() throws Exception {
        ModelSlot slot = new ModelSlot("wine");
        PredictionServerTest.SumPredictor v1 = new PredictionServerTest.SumPredictor(0);
        PredictionServerTest.SumPredictor v2 = new PredictionServerTest.SumPredictor(100);
        slot.switchTo(1, v1, MODEL);
        assertThat(slot.predict(ROW)).isEqualTo(new ModelSlot.Answered(1, List.of(3.0)));
        slot.switchTo(2, v2, MODEL);
        assertThat(slot.predict(ROW)).isEqualTo(new ModelSlot.Answered(2, List.of(103.0)));
        await().until(v1.closed::get);
        slot.close();
        assertThat(v2.closed).isTrue();
    }

    @Test
    void aRequestThatTookAVersionJustReplacedIsAnsweredByTheNewOne() throws Exception {
        ModelSlot slot = new ModelSlot("wine");
        PredictionServerTest.SumPredictor old = new PredictionServerTest.SumPredictor(0);
        old.close(); // as a worker stopped by the switch after the request took it
        PredictionServerTest.SumPredictor current = new PredictionServerTest.SumPredictor(10);
        slot.switchTo(1, new dev.fuseml.serving.Predictor() {
            @Override
            public List<Object> predict(Batch batch) throws Exception {
                slot.switchTo(2, current, MODEL); // the switch lands while this request is under way
                return old.predict(batch);
            }

            @Override
            public void close() {
            }
        }, MODEL);
        assertThat(slot.predict(ROW)).isEqualTo(new ModelSlot.Answered(2, List.of(13.0)));
    }

    @Test
    void aVersionClosedWithNoOtherToTakeItsPlaceAnswers503() throws Exception {
        ModelSlot slot = new ModelSlot("wine");
        PredictionServerTest.SumPredictor closed = new PredictionServerTest.SumPredictor(0);
        closed.close();
        slot.switchTo(1, closed, MODEL);
        assertThatThrownBy(() -> slot.predict(ROW)).isInstanceOfSatisfying(HttpError.class,
                e -> assertThat(e.status).isEqualTo(503));
    }
}
