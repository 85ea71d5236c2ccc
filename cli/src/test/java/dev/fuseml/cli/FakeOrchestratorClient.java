package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The orchestrator's API as a test scripts it: JSON answers by path, and the paths asked, in order. */
class FakeOrchestratorClient extends OrchestratorClient {
    final Map<String, JsonNode> answers;
    final List<String> asked = new CopyOnWriteArrayList<>();

    FakeOrchestratorClient(Map<String, JsonNode> answers) {
        super("http://fake.test");
        this.answers = answers;
    }

    @Override
    public JsonNode get(String path) {
        asked.add("GET " + path);
        JsonNode answer = answers.get(path);
        if (answer == null) {
            throw new CliException("the fake orchestrator has no answer for GET " + path);
        }
        return answer;
    }

    @Override
    public Optional<JsonNode> find(String path) {
        asked.add("GET " + path);
        return Optional.ofNullable(answers.get(path));
    }
}
