module workbook/stage2-client

go 1.26.0
