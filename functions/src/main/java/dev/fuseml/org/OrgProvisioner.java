package dev.fuseml.org;

/**
 * Makes what an org needs on the platform when the org is created: on one machine nothing beyond the embedded
 * broker's namespace; on a cluster its namespace with its Broker, the default chain's Triggers, the steps' RoleBinding
 * and its token Secret.
 */
public interface OrgProvisioner {
    /** Nothing to make: the embedded broker takes the org's events once the org exists. */
    OrgProvisioner NONE = org -> {
    };

    /** Makes (or brings up to date) the org's resources; making them again changes nothing. */
    void provision(String org) throws Exception;
}
