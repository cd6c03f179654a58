"""Parents on Universal Credit (claimants), their children and the consents they give providers."""
