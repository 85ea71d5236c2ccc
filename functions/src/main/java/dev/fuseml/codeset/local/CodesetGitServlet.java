package dev.fuseml.codeset.local;

import dev.fuseml.eventing.Names;
import jakarta.inject.Inject;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Codesets over git smart HTTP ({@code git clone URL/git/ORG/APP.git}): how steps on any machine fetch the code,
 * and how users look at what they pushed. Fetch only: pushing over git waits for tokens (issue 7 and 10).
 */
@WebServlet(name = "codesets", urlPatterns = "/*")
public class CodesetGitServlet extends GitServlet {
    private static final Pattern NAME = Pattern.compile("([^/]+)/([^/]+?)(\\.git)?/?");

    @Inject
    GitCodesetStore codesets;

    @Override
    public void init(ServletConfig config) throws ServletException {
        setRepositoryResolver((request, name) -> {
            Matcher m = NAME.matcher(name);
            if (!m.matches() || !Names.valid(m.group(1)) || !Names.valid(m.group(2))) {
                throw new RepositoryNotFoundException(name);
            }
            try {
                return codesets.open(m.group(1), m.group(2));
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        });
        setReceivePackFactory((request, db) -> {
            throw new ServiceNotEnabledException("pushing over git is not enabled: use fuseml push");
        });
        super.init(config);
    }
}
