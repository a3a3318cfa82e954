package dev.nube;

import dev.nube.engine.EngineException;
import dev.nube.engine.api.AccessKeyService;
import dev.nube.engine.api.AccessKeys;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.SettingsFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * {@code nube credentials}: makes an access key in a data folder (whether or not an engine has it open: the keys'
 * file is shared under its own lock) and prints the lines of an AWS CLI profile named {@code nube}.
 */
final class CredentialsCommand {
    static final String PROFILE = "nube";

    private CredentialsCommand() {
    }

    static int run(Path home, PrintStream out) {
        AccessKeyService.Created created;
        try {
            created = new AccessKeys(home).create("nube credentials, " + LocalDate.now());
        } catch (EngineException e) {
            System.err.println("nube credentials: " + e.getMessage());
            return 1;
        }
        int port = SettingsFile.at(home.resolve("config").resolve("api.json")).read(ApiEndpoint.Settings.class)
                .orElse(ApiEndpoint.Settings.defaults()).port();
        out.print("""
                Made the access key %1$s for the AWS API of %2$s.
                Its secret is shown only now; it is kept in %3$s (readable by you only).

                Add to ~/.aws/credentials:
                [%4$s]
                aws_access_key_id = %1$s
                aws_secret_access_key = %5$s

                Add to ~/.aws/config:
                [profile %4$s]
                region = %6$s
                output = json

                Then, while the console or ./nube serve runs:
                aws --profile %4$s --endpoint-url http://127.0.0.1:%7$d ec2 describe-instances
                """.formatted(created.key().id(), home, home.resolve("config").resolve("access-keys.json"), PROFILE,
                created.secretAccessKey(), RegionService.DEFAULT_REGION, port));
        return 0;
    }
}
