package dev.fuseml.codeset.local;

import dev.fuseml.eventing.Names;
import jakarta.inject.Inject;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Codesets over git smart HTTP ({@code git clone URL/git/ORG/APP.git}): how steps on any machine fetch the code,
 * how users look at what they pushed, and where {@code git push} stores commits and starts runs ({@link GitPushes}).
 * Who may fetch or push is decided before this servlet, by the request gate (a token of the org, as git's basic
 * password); a push to an app that has no codeset yet creates it, in an org that exists.
 */
@WebServlet(name = "codesets", urlPatterns = "/*")
public class CodesetGitServlet extends GitServlet {
    private static final Pattern NAME = Pattern.compile("([^/]+)/([^/]+?)(\\.git)?/?");

    @Inject
    GitCodesetStore codesets;

    @Inject
    dev.fuseml.org.OrgStore orgs;

    @Inject
    dev.fuseml.step.EventSink events;

    @Inject
    dev.fuseml.platform.SelfAddress self;

    @Override
    public void init(ServletConfig config) throws ServletException {
        setRepositoryResolver((request, name) -> {
            Matcher m = NAME.matcher(name);
            if (!m.matches() || !Names.valid(m.group(1)) || !Names.valid(m.group(2))) {
                throw new RepositoryNotFoundException(name);
            }
            boolean pushing = "git-receive-pack".equals(request.getParameter("service"))
                    || request.getRequestURI().endsWith("/git-receive-pack");
            try {
                return pushing && orgs.exists(m.group(1)) ? codesets.openOrCreate(m.group(1), m.group(2))
                        : codesets.open(m.group(1), m.group(2));
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        });
        setReceivePackFactory((request, db) -> {
            Matcher m = NAME.matcher(request.getPathInfo() == null ? "" : request.getPathInfo()
                    .replaceFirst("^/", "").replaceFirst("/git-receive-pack$", "").replaceFirst("/info/refs$", ""));
            if (!m.matches()) {
                throw new ServiceNotEnabledException("not a codeset: push to /git/ORG/APP.git");
            }
            ReceivePack pack = new ReceivePack(db);
            pack.setAllowNonFastForwards(false); // history is what runs were made from: never rewritten
            GitPushes pushes = new GitPushes(m.group(1), m.group(2), events, self::url);
            pack.setPreReceiveHook(pushes);
            pack.setPostReceiveHook(pushes);
            return pack;
        });
        super.init(config);
    }
}
