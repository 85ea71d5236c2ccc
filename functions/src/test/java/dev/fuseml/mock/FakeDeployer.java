package dev.fuseml.mock;

import dev.fuseml.serving.Deployer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what it serves, removes and protects; {@link #onDeploy} answers a deployment (by default a URL). */
public class FakeDeployer implements Deployer {
    public final List<ServeRequest> deployed = new CopyOnWriteArrayList<>();
    public final List<String> removed = new CopyOnWriteArrayList<>();
    public final Map<String, String> protectedApps = new ConcurrentHashMap<>();
    public volatile Hook<ServeRequest, Deployment> onDeploy = request -> new Deployment("http://127.0.0.1:9/v2/models/"
            + request.app() + "/infer");

    @Override
    public Deployment deploy(ServeRequest request) throws Exception {
        deployed.add(request);
        return onDeploy.apply(request);
    }

    @Override
    public void remove(String org, String app) {
        removed.add(org + "/" + app);
    }

    @Override
    public void protect(String org, String app, String tokenSha256) {
        if (tokenSha256 == null) {
            protectedApps.remove(org + "/" + app);
        } else {
            protectedApps.put(org + "/" + app, tokenSha256);
        }
    }
}
