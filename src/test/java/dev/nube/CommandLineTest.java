package dev.nube;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void noArgumentsStartTheConsoleOnTheDefaultDataFolder() {
        CommandLine command = CommandLine.parse();
        assertEquals(new CommandLine(CommandLine.Action.CONSOLE, Optional.empty(), java.util.OptionalInt.empty()), command);
        assertArrayEquals(new String[0], command.consoleParameters());
    }

    @Test
    void aDataFolderReachesTheConsoleAsAnAbsolutePath() {
        Path expected = Path.of("some/where").toAbsolutePath();
        assertEquals(Optional.of(expected), CommandLine.parse("--data-dir", "some/where").dataDir());
        assertEquals(Optional.of(expected), CommandLine.parse("--data-dir=some/where/.").dataDir());
        assertArrayEquals(new String[] {"--data-dir=" + expected},
                CommandLine.parse("--data-dir", "some/where").consoleParameters());
    }

    @Test
    void eachModeIsNamedByItsOption() {
        assertEquals(CommandLine.Action.HELP, CommandLine.parse("--help").action());
        assertEquals(CommandLine.Action.HELP, CommandLine.parse("-h").action());
        assertEquals(CommandLine.Action.VERSION, CommandLine.parse("--version").action());
        assertEquals(CommandLine.Action.CHECK, CommandLine.parse("--check").action());
        assertEquals(CommandLine.Action.SERVE, CommandLine.parse("serve").action());
        assertEquals(CommandLine.Action.CREDENTIALS, CommandLine.parse("credentials").action());
    }

    @Test
    void serveTakesAPortAndADataFolder() {
        CommandLine command = CommandLine.parse("serve", "--port=4700", "--data-dir", "d");
        assertEquals(java.util.OptionalInt.of(4700), command.port());
        assertEquals(Optional.of(Path.of("d").toAbsolutePath()), command.dataDir());
    }

    @Test
    void wrongUseSaysWhatIsWrong() {
        assertEquals("unknown option --serve", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("--serve")).getMessage());
        assertEquals("--data-dir needs a folder", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("--data-dir")).getMessage());
        assertEquals("--version cannot be combined with --check", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("--check", "--version")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--check", "--data-dir", "x"))
                .getMessage().contains("console, serve and credentials only"));
        assertEquals("--port applies to serve only", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("--port", "4590")).getMessage());
        assertEquals("--port needs a port number from 1 to 65535", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("serve", "--port", "70000")).getMessage());
        assertEquals("unknown command credentials", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse("--data-dir", "x", "credentials")).getMessage());
    }

    @Test
    void theHelpListsEveryOption() {
        for (String option : new String[] {"--data-dir DIR", "serve", "credentials", "--port PORT", "--check", "--version", "--help", "NUBE_HOME"}) {
            assertTrue(CommandLine.HELP.contains(option), option);
        }
    }
}
