package fulcrum.core.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A validated registry command. Instances exist only through {@link #validate}, so every command
 * that reaches a replica has legal names and a non-negative count.
 *
 * @param newName only for UpdateName
 * @param rebels  for AddCity (0 when not given) and UpdateNumber; null otherwise
 */
public record Command(CommandKind kind, String planet, String city, String newName, Long rebels) {

    public Command {
        Objects.requireNonNull(kind, "kind");
        List<String> problems = problems(kind, planet, city, newName, rebels);
        if (!problems.isEmpty()) {
            throw new InvalidCommandException(ErrorCode.INVALID_ARGUMENT, String.join("; ", problems));
        }
    }

    public static Command addCity(String planet, String city, long rebels) {
        return new Command(CommandKind.AddCity, planet, city, null, rebels);
    }

    public static Command updateName(String planet, String city, String newName) {
        return new Command(CommandKind.UpdateName, planet, city, newName, null);
    }

    public static Command updateNumber(String planet, String city, long rebels) {
        return new Command(CommandKind.UpdateNumber, planet, city, null, rebels);
    }

    public static Command deleteCity(String planet, String city) {
        return new Command(CommandKind.DeleteCity, planet, city, null, null);
    }

    public static Command getNumberRebelds(String planet, String city) {
        return new Command(CommandKind.GetNumberRebelds, planet, city, null, null);
    }

    /**
     * Builds a command from the words a user typed after the command name, as the CLIs and the
     * seed's text format give them. Throws {@link InvalidCommandException} with a one-line reason.
     */
    public static Command fromArguments(String commandName, List<String> args) {
        CommandKind kind = CommandKind.parse(commandName).orElseThrow(() -> new InvalidCommandException(
                ErrorCode.UNKNOWN_COMMAND, "unknown command '" + commandName
                        + "' (expected AddCity, UpdateName, UpdateNumber, DeleteCity or GetNumberRebelds)"));
        switch (kind) {
            case AddCity -> {
                requireCount(kind, args, 2, 3, "PLANET CITY [REBELS]");
                long rebels = args.size() == 3 ? parseCount(args.get(2)) : 0L;
                return addCity(args.get(0), args.get(1), rebels);
            }
            case UpdateName -> {
                requireCount(kind, args, 3, 3, "PLANET CITY NEW_NAME");
                return updateName(args.get(0), args.get(1), args.get(2));
            }
            case UpdateNumber -> {
                requireCount(kind, args, 3, 3, "PLANET CITY REBELS");
                return updateNumber(args.get(0), args.get(1), parseCount(args.get(2)));
            }
            case DeleteCity -> {
                requireCount(kind, args, 2, 2, "PLANET CITY");
                return deleteCity(args.get(0), args.get(1));
            }
            case GetNumberRebelds -> {
                requireCount(kind, args, 2, 2, "PLANET CITY");
                return getNumberRebelds(args.get(0), args.get(1));
            }
            default -> throw new AssertionError(kind);
        }
    }

    private static void requireCount(CommandKind kind, List<String> args, int min, int max, String usage) {
        if (args.size() < min || args.size() > max) {
            throw new InvalidCommandException(ErrorCode.INVALID_ARGUMENT,
                    kind + " takes " + usage + ", got " + args.size() + " argument(s)");
        }
    }

    private static long parseCount(String text) {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new InvalidCommandException(ErrorCode.INVALID_ARGUMENT,
                        "rebels must be a non-negative whole number, got '" + text + "'");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidCommandException(ErrorCode.INVALID_ARGUMENT,
                    "rebels must be a non-negative whole number, got '" + text + "'");
        }
    }

    private static List<String> problems(CommandKind kind, String planet, String city, String newName, Long rebels) {
        List<String> problems = new ArrayList<>();
        addIfProblem(problems, Names.problem("planet", planet));
        addIfProblem(problems, Names.problem("city", city));
        boolean wantsName = kind == CommandKind.UpdateName;
        boolean wantsRebels = kind == CommandKind.AddCity || kind == CommandKind.UpdateNumber;
        if (wantsName) {
            addIfProblem(problems, Names.problem("newName", newName));
        } else if (newName != null) {
            problems.add(kind + " takes no newName");
        }
        if (wantsRebels) {
            if (rebels == null) {
                problems.add(kind + " needs rebels");
            } else if (rebels < 0) {
                problems.add("rebels must be non-negative, got " + rebels);
            }
        } else if (rebels != null) {
            problems.add(kind + " takes no rebels");
        }
        return problems;
    }

    private static void addIfProblem(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }
}
