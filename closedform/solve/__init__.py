"""The solver layer: reduction, closed-form strategies, numeric fallback, classification, asymptotics."""
