package dev.fuseml.api;

import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.org.OrgStore;
import jakarta.enterprise.context.ApplicationScoped;

/** The one "does it exist" of the API: an org, or an app of an org, else 404 naming the listing that shows them. */
@ApplicationScoped
public class AppLookup {
    private final OrgStore orgs;
    private final AppStore apps;

    public AppLookup(OrgStore orgs, AppStore apps) {
        this.orgs = orgs;
        this.apps = apps;
    }

    public void org(String org) {
        if (!orgs.exists(org)) {
            throw ApiError.notFound("org '" + org + "' does not exist (fuseml orgs lists them)");
        }
    }

    public App app(String org, String app) {
        org(org);
        return apps.get(org, app).orElseThrow(() -> ApiError.notFound("app '" + app + "' does not exist in org '"
                + org + "' (fuseml apps lists them)"));
    }
}
