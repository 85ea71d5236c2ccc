package dev.fuseml.mock;

import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.TriggerRegistry;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Brokers in memory: the orgs added, the YAML applied and the triggers deleted, each recorded. */
public class FakeBrokers implements Brokers {
    public final List<String> orgs = new CopyOnWriteArrayList<>();
    public final List<String> applied = new CopyOnWriteArrayList<>();
    public final List<String> deleted = new CopyOnWriteArrayList<>();
    public volatile Hook<String, List<String>> onApply = yaml -> List.of("applied");

    @Override
    public URI ingress(String org) {
        return URI.create("http://broker.test/" + org + "/default");
    }

    @Override
    public void addOrg(String org) {
        orgs.add(org);
    }

    @Override
    public List<TriggerRegistry.TriggerStatus> triggers() {
        return List.of();
    }

    @Override
    public List<String> apply(String yaml, Predicate<String> mayChange) {
        applied.add(yaml);
        try {
            return onApply.apply(yaml);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean deleteTrigger(String org, String name) {
        deleted.add(org + "/" + name);
        return true;
    }
}
