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
        assertEquals(new CommandLine(CommandLine.Action.CONSOLE, Optional.empty()), command);
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
                .getMessage().contains("console only"));
    }

    @Test
    void theHelpListsEveryOption() {
        for (String option : new String[] {"--data-dir DIR", "--check", "--version", "--help", "NUBE_HOME"}) {
            assertTrue(CommandLine.HELP.contains(option), option);
        }
    }
}
