package dev.nube.ui.common;

/**
 * What the console remembers between runs: theme, window bounds, region and page. Null bounds mean "not saved yet".
 */
public record ConsoleSettings(String theme, Double x, Double y, Double width, Double height, boolean maximized,
                              String region, String page) {
    public static final String LIGHT = "light";
    public static final String DARK = "dark";

    public static ConsoleSettings defaults() {
        return new ConsoleSettings(LIGHT, null, null, null, null, false, null, null);
    }

    public boolean dark() {
        return DARK.equals(theme);
    }

    public ConsoleSettings withTheme(String value) {
        return new ConsoleSettings(value, x, y, width, height, maximized, region, page);
    }

    public ConsoleSettings withBounds(double newX, double newY, double newWidth, double newHeight, boolean max) {
        return new ConsoleSettings(theme, newX, newY, newWidth, newHeight, max, region, page);
    }

    public ConsoleSettings withRegion(String value) {
        return new ConsoleSettings(theme, x, y, width, height, maximized, value, page);
    }

    public ConsoleSettings withPage(String value) {
        return new ConsoleSettings(theme, x, y, width, height, maximized, region, value);
    }
}
