package dev.nube.ui.common;

import javafx.beans.property.ReadOnlyStringProperty;

/**
 * What every feature view of the console shares: the task executor, the engine's events on the FX thread, the
 * region the header selects (views reload when it changes), and the workspace where terminals open as tabs.
 */
public record ConsoleContext(TaskExecutor tasks, UiEvents events, ReadOnlyStringProperty region,
                             Workspace workspace) {
}
